// The test OpenID provider (`mock_oidc`, built from e2e/src/bin) as a process, and a platform
// server pointed at it.
import { spawn, type ChildProcess } from 'node:child_process'
import { createServer } from 'node:net'
import { join } from 'node:path'
import { repo, startServer, type Server } from './server'

export const mockOidcBinary = process.env.MOCK_OIDC_BIN ?? join(repo, 'target/debug/mock_oidc')
const CLIENT_ID = 'zhicheng'
const CLIENT_SECRET = 'mock-client-secret'

export interface MockOidc {
  issuer: string
  /** Who logs in next (claims of the ID token), and whether the provider misbehaves. */
  nextLogin(claims: Record<string, string>, misbehave?: string): Promise<void>
  stop(): void
}

export async function startMockOidc(): Promise<MockOidc> {
  const child: ChildProcess = spawn(mockOidcBinary, ['--port', '0', '--client-id', CLIENT_ID, '--client-secret', CLIENT_SECRET], {
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  const output: string[] = []
  const issuer = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`mock_oidc did not start:\n${output.join('')}`)), 30_000)
    child.stdout?.on('data', (chunk: Buffer) => {
      output.push(chunk.toString())
      const match = /listening on (http:\/\/\S+)/.exec(output.join(''))
      if (match?.[1]) {
        clearTimeout(timer)
        resolve(match[1])
      }
    })
    child.stderr?.on('data', (chunk: Buffer) => output.push(chunk.toString()))
    child.on('error', (error) => reject(new Error(`${mockOidcBinary}: ${error.message} (cargo build -p e2e --bin mock_oidc)`)))
  })
  return {
    issuer,
    async nextLogin(claims, misbehave) {
      const response = await fetch(`${issuer}/control/next-login`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ claims, misbehave }),
      })
      if (!response.ok) throw new Error(`mock_oidc refused the next login: ${response.status}`)
    },
    stop() {
      child.kill('SIGTERM')
    },
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer()
    probe.once('error', reject)
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address()
      const port = typeof address === 'object' && address ? address.port : 0
      probe.close(() => resolve(port))
    })
  })
}

/** A platform whose unified login goes to `oidc`; the callback URL needs the port up front. */
export async function startServerWithSso(oidc: MockOidc): Promise<Server> {
  for (let attempt = 1; ; attempt++) {
    const port = String(await freePort())
    try {
      return await startServer({
        APP__SERVER__PORT: port,
        APP__SSO__ISSUER: oidc.issuer,
        APP__SSO__CLIENT_ID: CLIENT_ID,
        APP__SSO__CLIENT_SECRET: CLIENT_SECRET,
        APP__SSO__REDIRECT_URL: `http://127.0.0.1:${port}/api/v1/auth/sso/callback`,
      })
    } catch (error) {
      if (attempt >= 3) throw error
    }
  }
}
