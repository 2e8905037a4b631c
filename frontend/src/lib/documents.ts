/** Addresses of the generated documents (issue 15), fetched with the caller's token. */

/** 打印/下载评审表 of a declaration (its owner — a draft gives a preview — and every organisation it reached). */
export const reviewFormUrl = (id: string) => `/api/v1/declarations/${encodeURIComponent(id)}/review-form`

/** The file name a downloaded 评审表 is saved under. */
export const reviewFormName = (name: string, year: number) => `评审表-${name}-${year}.pdf`
