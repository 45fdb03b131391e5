#!/usr/bin/env node
// Sums JUnit reports and pass/fail check files into the closing line CI reads:
//   N passed, N failed, N skipped
// Usage: node .ci/count-junit.mjs [--checks FILE]... REPORT.xml...
// A report that is missing, unreadable or holds zero tests counts as one failure (a runner that
// crashed or found nothing must never look green). A checks file holds lines "pass NAME" / "fail NAME".
// Exits 1 on any failure or when nothing passed at all.
import { existsSync, readFileSync } from 'node:fs'

let passed = 0
let failed = 0
let skipped = 0
const problems = []

const args = process.argv.slice(2)
const reports = []
const checkFiles = []
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--checks') checkFiles.push(args[++i])
  else reports.push(args[i])
}

for (const file of reports) {
  if (!existsSync(file)) {
    problems.push(`missing report ${file}`)
    failed++
    continue
  }
  const xml = readFileSync(file, 'utf8')
  // Count <testcase> elements rather than trusting the header: vitest, deno and bun each spell the
  // totals differently (deno says "ignored", vitest omits "skipped").
  let tests = 0
  let fails = 0
  let skips = 0
  const re = /<testcase\b[^>]*?(\/>|>([\s\S]*?)<\/testcase>)/g
  for (let m = re.exec(xml); m; m = re.exec(xml)) {
    tests++
    const body = m[2] ?? ''
    if (/<(failure|error)\b/.test(body)) fails++
    else if (/<skipped\b/.test(body)) skips++
  }
  // Errors outside any testcase (e.g. a test file that failed to load) are failures too.
  const head = xml.match(/<testsuites\b[^>]*>/)?.[0] ?? xml.match(/<testsuite\b[^>]*>/)?.[0] ?? ''
  const attr = (k) => Number(head.match(new RegExp(`\\b${k}="(\\d+)"`))?.[1] ?? 0)
  const headFails = attr('failures') + attr('errors')
  if (headFails > fails) fails = headFails
  if (tests === 0) {
    problems.push(`no tests in report ${file}`)
    failed++
    continue
  }
  passed += Math.max(0, tests - fails - skips)
  failed += fails
  skipped += skips
}

for (const file of checkFiles) {
  if (!existsSync(file)) continue
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (line.startsWith('pass ')) passed++
    else if (line.startsWith('fail ')) {
      failed++
      problems.push(`failed check: ${line.slice(5)}`)
    }
  }
}

for (const p of problems) console.log(`  ${p}`)
console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`)
process.exit(failed > 0 || passed === 0 ? 1 : 0)
