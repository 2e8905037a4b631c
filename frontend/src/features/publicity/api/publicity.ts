import { api, call, type Schemas } from '@/lib/api/client'

export type Publicity = Schemas['PublicityDto']
export type Certificate = Schemas['CertificateDto']
export type CertificateCheck = Schemas['CertificateCheckDto']
export type PdfCheck = Schemas['PdfCheckDto']

export const publicPublicities = () => call(api.GET('/api/v1/public/publicities'))

export const raiseObjection = (publicityId: string, declarationId: string, reason: string) =>
  call(
    api.POST('/api/v1/publicities/{id}/objections', {
      params: { path: { id: publicityId } },
      body: { declaration_id: declarationId, reason },
    }),
  )

export const verifyCertificate = (number: string) =>
  call(api.GET('/api/v1/verify/{number}', { params: { path: { number } } }))

/** Sends the PDF's bytes as the body; the server checks them against the certificate's signature. */
export async function verifyPdf(number: string, file: Blob): Promise<PdfCheck> {
  const response = await fetch(`/api/v1/verify/${encodeURIComponent(number)}/pdf`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/pdf' },
    body: file,
  })
  return call(Promise.resolve({ response, data: response.ok ? await response.json() : undefined, error: response.ok ? undefined : await response.json().catch(() => undefined) }))
}

export const myCertificates = () => call(api.GET('/api/v1/me/certificates'))

export const certificateChecks = (number: string) =>
  call(api.GET('/api/v1/me/certificates/{number}/checks', { params: { path: { number } } }))

export const certificatePdf = (number: string) =>
  call(api.GET('/api/v1/me/certificates/{number}/pdf', { params: { path: { number } }, parseAs: 'blob' }))
