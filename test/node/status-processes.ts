// Runs test/node/fixtures/status-allocate.ts in several processes at once (file and pg tests).
import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'

const repoRoot = fileURLToPath(new URL('../../', import.meta.url))

/** Runs the allocation fixture in `n` processes at once; resolves with each one's report. */
export async function allocateInProcesses(
  n: number,
  job: Record<string, unknown>,
): Promise<{ indexes: number[]; refused: Record<string, number>; ms: number }[]> {
  const children = Array.from({ length: n }, () =>
    spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        fileURLToPath(new URL('./fixtures/status-allocate.ts', import.meta.url)),
        JSON.stringify(job),
      ],
      { cwd: repoRoot, stdio: 'pipe' },
    ),
  )
  const outputs = children.map(
    (child) =>
      new Promise<string>((done, fail) => {
        let out = ''
        let err = ''
        child.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk))
        child.stderr.setEncoding('utf8').on('data', (chunk: string) => (err += chunk))
        child.on('close', (code) =>
          code === 0 ? done(out) : fail(new Error(`child exited ${code}: ${err}`)),
        )
      }),
  )
  // Start them together: each says "ready" once its store is loaded, then all get "go".
  await Promise.all(
    children.map(
      (child) =>
        new Promise<void>((ready) => {
          const check = (chunk: Buffer | string): void => {
            if (String(chunk).includes('ready')) {
              child.stdout.off('data', check)
              ready()
            }
          }
          child.stdout.on('data', check)
        }),
    ),
  )
  for (const child of children) child.stdin.write('go\n')
  const texts = await Promise.all(outputs)
  return texts.map((text) => {
    const line = text.split('\n').find((l) => l.startsWith('{')) as string
    return JSON.parse(line) as { indexes: number[]; refused: Record<string, number>; ms: number }
  })
}
