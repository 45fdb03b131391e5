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

/**
 * Starts the allocation fixture streaming its indexes, kills it (SIGKILL) once `after` indexes were
 * reported, and resolves with the indexes it reported: each one was acknowledged to its caller.
 */
export async function allocateUntilKilled(
  job: Record<string, unknown>,
  after: number,
): Promise<number[]> {
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      fileURLToPath(new URL('./fixtures/status-allocate.ts', import.meta.url)),
      JSON.stringify({ ...job, stream: true }),
    ],
    { cwd: repoRoot, stdio: 'pipe' },
  )
  const reported: number[] = []
  let partial = ''
  let err = ''
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (err += chunk))
  return new Promise<number[]>((done, fail) => {
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      const lines = (partial + chunk).split('\n')
      partial = lines.pop() ?? ''
      for (const line of lines) {
        if (line === 'ready') child.stdin.write('go\n')
        const match = /^index (\d+)$/.exec(line)
        if (match !== null) reported.push(Number(match[1]))
      }
      if (reported.length >= after && child.exitCode === null && child.signalCode === null)
        child.kill('SIGKILL')
    })
    child.on('close', (code, signal) =>
      signal === 'SIGKILL'
        ? done(reported)
        : fail(new Error(`child ended (${code}) before the kill: ${err}`)),
    )
  })
}

/**
 * Allocates from `list` until the store says `status_list_full` (any other error is rethrown, so
 * the test fails); resolves with every index it got. For the crash tests: what a killed process
 * left is drained by the survivor.
 */
export async function drainStatusList(
  store: { allocateStatusIndex(id: string): Promise<number> },
  list: string,
): Promise<number[]> {
  const rest: number[] = []
  for (;;) {
    try {
      rest.push(await store.allocateStatusIndex(list))
    } catch (error) {
      if ((error as { code?: string }).code !== 'status_list_full') throw error
      return rest
    }
  }
}
