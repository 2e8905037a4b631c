// Starts the real `zhicheng` binary on a fresh database, the way e2e/src/lib.rs does, serving
// the built SPA from frontend/dist.
import { spawn, execFileSync, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync, existsSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

const here = fileURLToPath(new URL('.', import.meta.url))
export const repo = resolve(here, '../../..')
export const binary = process.env.ZHICHENG_BIN ?? join(repo, 'target/debug/zhicheng')
export const staticDir = join(repo, 'frontend/dist')
export const artifacts = join(repo, 'e2e/artifacts')

export const DEMO_PASSWORD = 'Demo#2026zc'
export const ADMIN_PASSWORD = 'Admin#E2e2026'

export interface Server {
  base: string
  env: Record<string, string>
  output: string[]
  /** The development SMS outbox for a phone, newest first (operator CLI). */
  smsOutbox(phone: string): string[]
  /**
   * The newest 6-digit code sent to a phone once the outbox holds more than `before` texts for it:
   * texts are sent by the jobs worker after the request, so this waits (up to 15 s) for it.
   */
  latestCode(phone: string, before: number): Promise<string>
  stop(): Promise<void>
}

export async function startServer(extra: Record<string, string> = {}): Promise<Server> {
  if (!existsSync(binary)) throw new Error(`${binary} is missing: run \`make build\` (cargo build --bin zhicheng) first`)
  if (!existsSync(join(staticDir, 'index.html'))) throw new Error(`${staticDir}/index.html is missing: run \`npm run build\` in frontend/`)
  const dir = mkdtempSync(join(tmpdir(), 'zc-browser-'))
  const env: Record<string, string> = {
    APP_PROFILE: 'test',
    APP__SERVER__HOST: '127.0.0.1',
    APP__SERVER__PORT: '0',
    APP__SERVER__STATIC_DIR: staticDir,
    APP__DATABASE__URL: `sqlite://${join(dir, 'zhicheng.db')}?mode=rwc`,
    APP__STORAGE__DIR: join(dir, 'files'),
    APP__AUTH__JWT_SECRET: 'browser-e2e-secret-browser-e2e-secret-0123',
    APP__SECURITY__DATA_KEY: 'AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=',
    APP__ADMIN__PASSWORD: ADMIN_PASSWORD,
    APP__DEMO__SEED: 'true',
    APP__RATE_LIMIT__AUTH_PER_MINUTE: '60000',
    APP__RATE_LIMIT__AUTH_BURST: '10000',
    APP__RATE_LIMIT__ACCOUNT_PER_MINUTE: '60000',
    APP__RATE_LIMIT__ACCOUNT_BURST: '10000',
    RUST_LOG: 'warn',
    ...extra,
  }
  const { child, base, output } = await launch(env)

  function smsOutbox(phone: string): string[] {
    const printed = execFileSync(binary, ['admin', 'sms-outbox', '--phone', phone], {
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...env },
      encoding: 'utf8',
    })
    return printed.split('\n').filter(Boolean)
  }

  return {
    base,
    env,
    output,
    smsOutbox,
    async latestCode(phone: string, before: number): Promise<string> {
      let lines = smsOutbox(phone)
      for (let waited = 0; lines.length <= before && waited < 15_000; waited += 250) {
        await new Promise((resolve) => setTimeout(resolve, 250))
        lines = smsOutbox(phone)
      }
      const message = lines.find((line) => /\d{6}/.test(line)) ?? ''
      const code = /验证码为\D*(\d{6})/.exec(message)?.[1] ?? /(\d{6})/.exec(message)?.[1]
      if (lines.length <= before || !code) throw new Error(`no new code in the SMS outbox of ${phone}: ${message}`)
      return code
    },
    async stop() {
      await stopChild(child)
      rmSync(dir, { recursive: true, force: true })
    },
  }
}

/**
 * A second instance of `server`, as a second machine behind a load balancer would be: the same
 * settings, database and files, its own process and port; `extra` overrides settings. Its
 * `stop()` ends the process only (the files are the first instance's).
 */
export async function startSibling(server: Server, extra: Record<string, string>): Promise<{ base: string; output: string[]; stop(): Promise<void> }> {
  const { child, base, output } = await launch({ ...server.env, ...extra })
  return { base, output, stop: () => stopChild(child) }
}

async function launch(env: Record<string, string>): Promise<{ child: ChildProcess; base: string; output: string[] }> {
  const child: ChildProcess = spawn(binary, ['serve'], {
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  const output: string[] = []
  const base = await new Promise<string>((resolveBase, reject) => {
    const timer = setTimeout(() => reject(new Error(`the server did not start:\n${output.join('\n')}`)), 60_000)
    let pending = ''
    child.stdout?.on('data', (chunk: Buffer) => {
      pending += chunk.toString()
      const lines = pending.split('\n')
      pending = lines.pop() ?? ''
      for (const line of lines) {
        output.push(line)
        const match = /^listening on (http:\/\/\S+)/.exec(line)
        if (match?.[1]) {
          clearTimeout(timer)
          resolveBase(match[1])
        }
      }
    })
    child.stderr?.on('data', (chunk: Buffer) => output.push(chunk.toString()))
    child.on('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`the server exited with ${code}:\n${output.join('\n')}`))
    })
  })
  return { child, base, output }
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return
  child.removeAllListeners('exit')
  const exited = new Promise((done) => child.once('exit', done))
  child.kill('SIGTERM')
  await Promise.race([exited, new Promise((done) => setTimeout(done, 5000))])
  if (child.exitCode === null) child.kill('SIGKILL')
}
