import createClient from 'openapi-fetch'
import type { components, paths } from './schema'
import { authFetch } from './auth-fetch'
import { ApiError, type Problem } from '../problem'

/** The typed API client, generated from openapi/openapi.json (`make client`). */
export const api = createClient<paths>({ baseUrl: '', fetch: authFetch })

export type Schemas = components['schemas']

interface Answer<T> {
  data?: T
  error?: unknown
  response: Response
}

/** Returns the data of a successful answer, or throws an ApiError carrying the problem. */
export async function call<T>(pending: Promise<Answer<T>>): Promise<T> {
  let answer: Answer<T>
  try {
    answer = await pending
  } catch (cause) {
    throw ApiError.network(cause)
  }
  if (answer.response.ok) return answer.data as T
  throw ApiError.from(answer.response.status, answer.error as Partial<Problem> | undefined)
}
