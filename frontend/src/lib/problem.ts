// Problems (RFC 9457) as the server sends them, and where their field errors belong.

export interface FieldError {
  field: string
  message: string
}

export interface Problem {
  type: string
  title: string
  status: number
  detail: string
  code: string
  errors?: FieldError[] | null
  request_id?: string | null
}

export class ApiError extends Error {
  readonly status: number
  readonly code: string
  readonly errors: FieldError[]
  readonly problem: Partial<Problem>

  constructor(status: number, problem: Partial<Problem>) {
    super(problem.detail || problem.title || `HTTP ${status}`)
    this.status = status
    this.code = problem.code ?? (status === 0 ? 'network' : 'unknown')
    this.errors = problem.errors ?? []
    this.problem = problem
  }

  static from(status: number, body: Partial<Problem> | undefined | string): ApiError {
    const problem = body && typeof body === 'object' ? body : {}
    return new ApiError(status, problem)
  }

  static network(cause: unknown): ApiError {
    const error = new ApiError(0, { code: 'network', detail: '' })
    error.cause = cause
    return error
  }
}

/** Decodes one JSON pointer (RFC 6901) into its reference tokens. */
export function pointerTokens(pointer: string): string[] {
  if (pointer === '' || pointer === '/') return []
  return pointer
    .replace(/^#?\//, '')
    .split('/')
    .map((token) => decodeURIComponent(token).replace(/~1/g, '/').replace(/~0/g, '~'))
}

/**
 * Field errors of a flat request body by top-level field name: `/id_number` → `id_number`.
 * Errors without a field (or with a deeper one) go under `''`.
 */
export function flatFieldErrors(errors: FieldError[]): Record<string, string> {
  const out: Record<string, string> = {}
  for (const error of errors) {
    const tokens = pointerTokens(error.field)
    const key = tokens.length === 1 ? (tokens[0] ?? '') : ''
    out[key] = out[key] ? `${out[key]}；${error.message}` : error.message
  }
  return out
}

/** Where a declaration's problems (from 确认申报) are shown, next to the fields they name. */
export interface DeclarationProblems {
  /** `/info/<key>` and top-level declaration fields (`/specialty`, `/org_id` …) */
  info: Record<string, string>
  /** `/sections/<code>` — too few items and the like */
  sections: Record<string, string>
  /**
   * `/items/<item>/data/<key>` → items[item_id].fields[key]; `/attachments` → .attachments; anything
   * else → .general. `<item>` is the item's id, or its index in the declaration's `items` array.
   */
  items: Record<string, { fields: Record<string, string>; attachments?: string; general?: string }>
  /** Problems that name no field shown above (e.g. the employer has no reporting path) */
  other: FieldError[]
  count: number
}

function append(target: Record<string, string>, key: string, message: string): void {
  target[key] = target[key] ? `${target[key]}；${message}` : message
}

/**
 * Rewrites `/items/<index>/…` into `/items/<item_id>/…` using the items order the problems were
 * found against, so the pointers stay right when items are later added or removed.
 */
export function pinItemPointers(errors: FieldError[], itemIds: readonly string[]): FieldError[] {
  return errors.map((error) => {
    const match = /^\/items\/(\d+)(\/.*)?$/.exec(error.field)
    const id = match ? itemIds[Number(match[1])] : undefined
    return match && id && !itemIds.includes(match[1] ?? '') ? { ...error, field: `/items/${id}${match[2] ?? ''}` } : error
  })
}

/**
 * Sorts the problems of a declaration by where they are shown. `itemIds` is the declaration's
 * `items` array order, to resolve pointers that name an item by its index.
 */
export function mapDeclarationProblems(errors: FieldError[], itemIds: readonly string[] = []): DeclarationProblems {
  const result: DeclarationProblems = { info: {}, sections: {}, items: {}, other: [], count: errors.length }
  const itemOf = (token: string): string => {
    if (itemIds.includes(token) || !/^\d+$/.test(token)) return token
    return itemIds[Number(token)] ?? token
  }
  for (const error of errors) {
    const [head, rawId, part, key] = pointerTokens(error.field)
    const id = head === 'items' && rawId !== undefined ? itemOf(rawId) : rawId
    if (head === 'info' && id) {
      append(result.info, id, error.message)
    } else if (head === 'sections' && id) {
      append(result.sections, id, error.message)
    } else if (head === 'items' && id) {
      const item = (result.items[id] ??= { fields: {} })
      if (part === 'data' && key) append(item.fields, key, error.message)
      else if (part === 'attachments' || part === 'attachment_ids')
        item.attachments = item.attachments ? `${item.attachments}；${error.message}` : error.message
      else item.general = item.general ? `${item.general}；${error.message}` : error.message
    } else if (head && !id && ['specialty', 'series', 'level', 'kind', 'year', 'org_id', 'basic_confirmed'].includes(head)) {
      append(result.info, head, error.message)
    } else {
      result.other.push(error)
    }
  }
  return result
}
