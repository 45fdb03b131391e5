// The verifier page end to end in a real headless Chromium (playwright-core + the system Chromium):
// `credsign serve` runs in-process on port 0 with bearer authentication, as a user starts it; the
// browser opens /verify, enters the API token, pastes (or types from the keyboard) a JWT-VC, an
// SD-JWT VC presented with some claims withheld and a KB-JWT, a Data Integrity credential (bundled
// contexts, no network), a tampered JWT-VC and one whose claims carry HTML, and the test reads the
// card. Every wait is on DOM state (the result card appearing), never on a timer. Screenshots go to
// .ci-out/verifier-page-*.png (CI's artifact directory).
//
// Security properties checked in the browser: the page's Content-Security-Policy is enforced (an
// inline script or an innerHTML assignment throws: Trusted Types), no credential content becomes
// markup (the XSS credential's `<script>` and `<img onerror>` render as text, nothing runs), no
// request leaves this server's origin, and no CSP violation or page error happens along the way.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DataIntegritySigner } from '../../src/formats/data-integrity/index.js'
import { FileStore, keyFileStem } from '../../src/file/index.js'
import { createHandler } from '../../src/http/index.js'
import { VERIFIER_PAGE_CSP } from '../../src/http/verifier-page.js'
import { VERIFIER_PAGE_SCRIPT } from '../../src/http/verifier-page-assets.js'
import {
  asDidSigner,
  envelopeCredential,
  generateKeyPair,
  JwtVcSigner,
  JwtVpSigner,
  KeyVault,
  loadPrivateKey,
  MemoryStore,
  presentSdJwt,
  SdJwtVcSigner,
  type Signer,
} from '../../src/index.js'
import { serveInProcess, type Served } from '../fixtures/serve.js'

const repoRoot = fileURLToPath(new URL('../../', import.meta.url))
const SCREENSHOTS = join(repoRoot, '.ci-out')
const TOKEN = 'verifier-page-token-0123456789'
const V2 = 'https://www.w3.org/ns/credentials/v2'
/** Bundled with credsign (no fetch); its @vocab defines the example terms (degree, note). */
const EXAMPLES_V2 = 'https://www.w3.org/ns/credentials/examples/v2'
const CHALLENGE = 'n-0S6_WzA2Mj'
const DOMAIN = 'https://verifier.example'
const XSS_SCRIPT = '<script>window.__xss = "script"</script>'
const XSS_IMG = '"><img src=x onerror="window.__xss = \'img\'">'
const XSS_NAME = '<img src=x onerror=alert(1)>'

/** `credsign serve --port 0 ARGS` in-process, as cli-serve.test.ts starts it. */
const serve = (args: string[], env: Record<string, string | undefined>): Promise<Served> =>
  serveInProcess(['--port', '0', ...args], env)

async function didKeySigner(algorithm: 'Ed25519' | 'P-256'): Promise<Signer> {
  const { pkcs8, publicJwk } = await generateKeyPair(algorithm)
  const key = await loadPrivateKey(algorithm, pkcs8)
  return asDidSigner({ id: 'k', algorithm, publicJwk, sign: (bytes) => key.sign(bytes) })
}

function b64u(text: string): string {
  return Buffer.from(text).toString('base64url')
}

let dir: string
let server: Served
let browser: Browser
let context: BrowserContext
let page: Page
const requested: string[] = []
const problems: string[] = []
const inputs: Record<
  'jwt' | 'sdJwt' | 'dataIntegrity' | 'presentation' | 'tampered' | 'xss',
  string
> = {
  jwt: '',
  presentation: '',
  sdJwt: '',
  dataIntegrity: '',
  tampered: '',
  xss: '',
}
let issuerDid: string
let holderDid: string

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'credsign-verifier-page-'))
  await mkdir(SCREENSHOTS, { recursive: true })
  server = await serve(['--data-dir', join(dir, 'data')], {
    CREDSIGN_TOKENS: TOKEN,
    PBKDF2_ITERATIONS: '1000',
  })

  const issuer = await didKeySigner('Ed25519')
  issuerDid = issuer.id.split('#')[0]!
  const holder = await didKeySigner('P-256')
  const now = Date.now()
  const credential = {
    '@context': [V2, EXAMPLES_V2],
    type: ['VerifiableCredential', 'UniversityDegreeCredential'],
    issuer: { id: issuerDid, name: 'Example University' },
    validFrom: new Date(now - 3_600_000).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    validUntil: new Date(now + 365 * 86_400_000).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    credentialSubject: {
      id: 'did:example:alice',
      name: 'Alice Example',
      degree: { type: 'BachelorDegree', name: 'Bachelor of Science' },
    },
  }
  inputs.jwt = await new JwtVcSigner(issuer).sign(credential)
  const [header, payload, signature] = inputs.jwt.split('.')
  const claims = JSON.parse(Buffer.from(payload!, 'base64url').toString()) as {
    credentialSubject: { name: string }
  }
  claims.credentialSubject.name = 'Mallory Example'
  inputs.tampered = `${header}.${b64u(JSON.stringify(claims))}.${signature}`
  inputs.xss = await new JwtVcSigner(issuer).sign({
    ...credential,
    issuer: { id: issuerDid, name: XSS_NAME },
    credentialSubject: { id: 'did:example:mallory', name: XSS_SCRIPT, note: XSS_IMG },
  })
  const sdJwt = await new SdJwtVcSigner(issuer, { expiresIn: 30 * 86_400 }).issue(
    {
      given_name: 'Erika',
      family_name: 'Mustermann',
      birthdate: '1963-08-12',
      address: { street_address: 'Heidestraße 17', locality: 'Köln', country: 'DE' },
    },
    {
      vct: 'https://credentials.example/identity_credential',
      holder: holder.publicJwk,
      disclosureFrame: {
        _sd: ['given_name', 'family_name', 'birthdate', 'address'],
        address: { _sd: ['street_address', 'locality'] },
      },
    },
  )
  inputs.sdJwt = await presentSdJwt(sdJwt, {
    disclose: { _sd: ['given_name', 'address'], address: { _sd: ['locality'] } },
    holder,
    audience: DOMAIN,
    nonce: CHALLENGE,
  })
  // A W3C credential secured as SD-JWT (vc+sd-jwt), two of its three subject claims withheld.
  const w3cSdJwt = await presentSdJwt(
    await new SdJwtVcSigner(issuer).signCredential(
      {
        ...credential,
        credentialSubject: {
          id: 'did:example:alice',
          givenName: 'Alice',
          familyName: 'Example',
          birthDate: '1990-01-01',
        },
      },
      { disclosureFrame: { credentialSubject: { _sd: ['givenName', 'familyName', 'birthDate'] } } },
    ),
    { disclose: { credentialSubject: { _sd: ['givenName'] } } },
  )
  inputs.presentation = await new JwtVpSigner(holder).sign(
    {
      '@context': [V2],
      type: ['VerifiablePresentation'],
      verifiableCredential: [
        envelopeCredential(inputs.jwt),
        envelopeCredential(w3cSdJwt, 'application/vc+sd-jwt'),
      ],
    },
    { audience: DOMAIN, nonce: CHALLENGE },
  )
  holderDid = holder.id.split('#')[0]!
  inputs.dataIntegrity = JSON.stringify(
    await new DataIntegritySigner(issuer).sign(credential),
    null,
    2,
  )

  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu'],
  })
  context = await browser.newContext({ viewport: { width: 1000, height: 900 } })
  // Registered before any page script runs: every CSP violation the page causes is recorded.
  await context.addInitScript(() => {
    const seen: string[] = []
    Object.defineProperty(window, '__violations', { value: seen })
    document.addEventListener('securitypolicyviolation', (event) =>
      seen.push(`${event.effectiveDirective} ${event.blockedURI}`),
    )
  })
  page = await context.newPage()
  page.on('request', (request) => requested.push(request.url()))
  page.on('pageerror', (error) => problems.push(`pageerror: ${error.message}`))
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console: ${message.text()}`)
  })
  page.on('dialog', (dialog) => {
    problems.push(`dialog: ${dialog.message()}`)
    void dialog.dismiss()
  })
}, 120_000)

afterAll(async () => {
  await browser?.close()
  await server?.stop()
  await rm(dir, { recursive: true, force: true })
})

/**
 * Clears the page, pastes `text` (with the expected challenge and domain, none by default) and
 * verifies it with the button; resolves with the new card.
 */
async function verifyText(
  text: string,
  expected: { challenge?: string; domain?: string } = {},
): Promise<ReturnType<Page['locator']>> {
  await page.click('#clear-button')
  await expect.poll(() => page.locator('#result > article').count()).toBe(0)
  await page.locator('details.options').evaluate((details) => {
    ;(details as HTMLDetailsElement).open = true
  })
  await page.fill('#challenge', expected.challenge ?? '')
  await page.fill('#domain', expected.domain ?? '')
  await page.fill('#input', text)
  await page.click('#verify-button')
  const card = page.locator('#result > article')
  await card.waitFor()
  return card
}

async function screenshot(name: string): Promise<void> {
  // The node-backend project runs this file too, possibly at the same time: its own file names.
  const project = process.env.CREDSIGN_TEST_BACKEND === 'node' ? '-node-backend' : ''
  await page.screenshot({
    path: join(SCREENSHOTS, `verifier-page-${name}${project}.png`),
    fullPage: true,
  })
}

const fact = (card: ReturnType<Page['locator']>, label: string) =>
  card.locator(`> .body > dl.facts > dd[data-fact="${label}"]`)
const claim = (card: ReturnType<Page['locator']>, path: string) =>
  card.locator(`tr[data-claim="${path}"] td.value`)
const check = (card: ReturnType<Page['locator']>, name: string) =>
  card.locator(`> .body ul.checks > li[data-check="${name}"]`)

describe('the verifier page in Chromium', () => {
  it('is served with a strict CSP by credsign serve (on by default), at / too; POST /verify needs the token', async () => {
    expect(server.err.join('\n')).toContain(`verifier page on ${server.base}/verify`)
    for (const path of ['/verify', '/']) {
      const response = await fetch(server.base + path)
      expect(response.status).toBe(200)
      expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8')
      expect(response.headers.get('content-security-policy')).toBe(VERIFIER_PAGE_CSP)
      expect(response.headers.get('x-frame-options')).toBe('DENY')
      expect(response.headers.get('referrer-policy')).toBe('no-referrer')
      const html = await response.text()
      expect(html).not.toMatch(/<script>|<script [^>]*>[^<]|<style|style=|\son[a-z]+=/i) // no inline code
      expect(html).not.toMatch(/https?:\/\//) // no external asset
    }
    const script = await fetch(`${server.base}/verify/app.js`)
    expect(script.headers.get('content-type')).toBe('text/javascript; charset=utf-8')
    expect(await script.text()).toBe(VERIFIER_PAGE_SCRIPT)
    expect(VERIFIER_PAGE_CSP).toContain("default-src 'none'")
    expect(VERIFIER_PAGE_CSP).toContain("connect-src 'self'")
    expect(VERIFIER_PAGE_CSP).toContain("require-trusted-types-for 'script'")
    const anonymous = await fetch(`${server.base}/verify`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ input: inputs.jwt }),
    })
    expect(anonymous.status).toBe(401)
  })

  it('opens with the token field; from the keyboard: Tab to the input, type a JWT-VC, Ctrl+Enter; the card shows issuer, claims, dates and checks', async () => {
    await page.goto(`${server.base}/verify`)
    await expect.poll(() => page.locator('#token-row').isVisible()).toBe(true)
    const focused = () => page.evaluate(() => document.activeElement?.id ?? '')
    await page.keyboard.press('Tab')
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Skip to the input')
    await page.keyboard.press('Tab')
    expect(await focused()).toBe('input')
    await page.keyboard.insertText(inputs.jwt)
    // On through the file chooser and the options to the token field, then Enter submits the form.
    const order: string[] = []
    for (let i = 0; i < 5 && (await focused()) !== 'token'; i++) {
      await page.keyboard.press('Tab')
      order.push(await focused())
    }
    expect(order).toEqual(['file', '', 'token']) // '': the options' <summary>
    await page.keyboard.type(TOKEN)
    await page.keyboard.press('Enter')
    const card = page.locator('#result > article')
    await card.waitFor()
    // Focus moves to the verdict, so a screen reader reads it and Tab continues from there.
    expect(await page.evaluate(() => document.activeElement?.className)).toBe('verdict')
    expect(await card.getAttribute('data-verdict')).toBe('verified')
    expect(await card.getAttribute('data-format')).toBe('vc+jwt')
    expect(await card.locator('.banner h2').textContent()).toContain('Verified')
    expect(await card.locator('.banner .badge').textContent()).toBe(
      'JWT-VC (VC-JOSE-COSE vc+jwt, VCDM 2.0)',
    )
    expect(await fact(card, 'Issuer').textContent()).toBe(issuerDid)
    expect(await fact(card, 'Issuer name').textContent()).toBe('Example University')
    expect(await fact(card, 'Type').textContent()).toBe(
      'VerifiableCredential, UniversityDegreeCredential',
    )
    expect(await fact(card, 'Valid from').textContent()).toMatch(/^\d{4}-\d\d-\d\dT/)
    expect(await fact(card, 'Valid until').textContent()).toMatch(/^\d{4}-\d\d-\d\dT/)
    expect(await claim(card, 'name').textContent()).toBe('Alice Example')
    expect(await claim(card, 'degree.name').textContent()).toBe('Bachelor of Science')
    for (const name of ['signature', 'issuer_binding', 'validity'])
      expect(await check(card, name).getAttribute('data-passed')).toBe('true')
    expect(await card.locator('li[data-passed="false"]').count()).toBe(0)
    expect(await card.locator('.warning').count()).toBe(0)
    await screenshot('jwt-vc')
  })

  it('an SD-JWT VC with some claims withheld and a KB-JWT: disclosed claims tagged, withheld digests counted where they are, key binding checked against the options', async () => {
    const card = await verifyText(inputs.sdJwt, { challenge: CHALLENGE, domain: DOMAIN })
    expect(await card.getAttribute('data-verdict')).toBe('verified')
    expect(await card.locator('.banner .badge').textContent()).toBe('SD-JWT VC (dc+sd-jwt)')
    expect(await fact(card, 'Credential type (vct)').textContent()).toBe(
      'https://credentials.example/identity_credential',
    )
    expect(await fact(card, 'Issuer').textContent()).toBe(issuerDid)
    expect(await fact(card, 'Expires (exp)').textContent()).toMatch(/^\d{4}-/)
    expect(await claim(card, 'given_name').textContent()).toBe('Erika')
    expect(await claim(card, 'address.locality').textContent()).toBe('Köln')
    expect(await claim(card, 'address.country').textContent()).toBe('DE')
    expect(await card.locator('tr[data-claim="given_name"] .tag').textContent()).toBe('disclosed')
    expect(await card.locator('tr[data-claim="family_name"]').count()).toBe(0)
    expect(await card.locator('tr[data-claim="address.street_address"]').count()).toBe(0)
    expect(await card.locator('.disclosed').getAttribute('data-count')).toBe('3')
    expect(await card.locator('.disclosed li').allTextContents()).toEqual([
      'address',
      'address.locality',
      'given_name',
    ])
    // family_name and birthdate at the top, street_address in address (no decoys in this frame).
    expect(await card.locator('.withheld').getAttribute('data-count')).toBe('3')
    expect(await card.locator('li[data-withheld="(top level)"]').textContent()).toBe(
      '(top level): 2 undisclosed digests',
    )
    expect(await card.locator('li[data-withheld="address"]').textContent()).toBe(
      'address: 1 undisclosed digest',
    )
    for (const name of ['disclosures', 'signature', 'key_binding', 'nonce', 'audience'])
      expect(await check(card, name).getAttribute('data-passed')).toBe('true')
    await screenshot('sd-jwt')

    // The same presentation with another expected nonce: the card names the failed check and its code.
    const refused = await verifyText(inputs.sdJwt, { challenge: 'another-nonce', domain: DOMAIN })
    expect(await refused.getAttribute('data-verdict')).toBe('failed')
    expect(await check(refused, 'nonce').getAttribute('data-code')).toBe('nonce_mismatch')
  })

  it('a Data Integrity credential (eddsa-rdfc-2022, bundled contexts, nothing fetched)', async () => {
    const card = await verifyText(inputs.dataIntegrity)
    expect(await card.getAttribute('data-verdict')).toBe('verified')
    expect(await card.getAttribute('data-format')).toBe('data-integrity')
    expect(await card.locator('.banner .badge').textContent()).toBe(
      'Data Integrity (eddsa-rdfc-2022)',
    )
    expect(await fact(card, 'Issuer').textContent()).toBe(issuerDid)
    expect(await fact(card, 'Proof created').textContent()).toMatch(/^\d{4}-/)
    expect(await claim(card, 'degree.type').textContent()).toBe('BachelorDegree')
    expect(await check(card, 'signature').getAttribute('data-passed')).toBe('true')
    await screenshot('data-integrity')
  })

  it('a presentation: the holder, the nonce and audience checks, and its credential as a nested card', async () => {
    const card = await verifyText(inputs.presentation, { challenge: CHALLENGE, domain: DOMAIN })
    expect(await card.getAttribute('data-verdict')).toBe('verified')
    expect(await card.getAttribute('data-format')).toBe('vp+jwt')
    expect(await fact(card, 'Kind').textContent()).toBe('presentation')
    expect(await fact(card, 'Holder').textContent()).toBe(holderDid)
    for (const name of ['nonce', 'audience', 'credentials'])
      expect(await check(card, name).getAttribute('data-passed')).toBe('true')
    const embedded = card.locator('> .body > article.card')
    expect(await embedded.count()).toBe(2)
    const jwt = embedded.nth(0)
    expect(await jwt.getAttribute('data-verdict')).toBe('verified')
    expect(await jwt.getAttribute('data-format')).toBe('vc+jwt')
    expect(await fact(jwt, 'Issuer').textContent()).toBe(issuerDid)
    expect(await claim(jwt, 'name').textContent()).toBe('Alice Example')
    // The enveloped vc+sd-jwt: its disclosed claim, and the two withheld in credentialSubject.
    const sdJwt = embedded.nth(1)
    expect(await sdJwt.getAttribute('data-verdict')).toBe('verified')
    expect(await sdJwt.locator('.banner .badge').textContent()).toBe('SD-JWT (vc+sd-jwt)')
    expect(await claim(sdJwt, 'givenName').textContent()).toBe('Alice')
    expect(await sdJwt.locator('tr[data-claim="familyName"]').count()).toBe(0)
    expect(await sdJwt.locator('.disclosed li').allTextContents()).toEqual([
      'credentialSubject.givenName',
    ])
    expect(await sdJwt.locator('li[data-withheld="credentialSubject"]').textContent()).toBe(
      'credentialSubject: 2 undisclosed digests',
    )
    await screenshot('presentation')
  })

  it('a tampered JWT-VC: not verified, the signature check failed with signature_invalid, and a warning that nothing shown can be trusted', async () => {
    const card = await verifyText(inputs.tampered)
    expect(await card.getAttribute('data-verdict')).toBe('failed')
    expect(await card.locator('.banner h2').textContent()).toContain('Not verified')
    const signature = check(card, 'signature')
    expect(await signature.getAttribute('data-passed')).toBe('false')
    expect(await signature.getAttribute('data-code')).toBe('signature_invalid')
    expect(await signature.locator('.code').textContent()).toBe('signature_invalid')
    expect(await card.locator('.warning').textContent()).toContain('cannot be trusted')
    // What the document claims, shown as a credential (under the warning).
    expect(await fact(card, 'Kind').textContent()).toBe('credential')
    expect(await claim(card, 'name').textContent()).toBe('Mallory Example')
    await screenshot('tampered')
  })

  it('XSS: <script> and <img onerror> in the claims and the issuer name render as text; nothing runs, no element is made of them', async () => {
    const card = await verifyText(inputs.xss)
    expect(await card.getAttribute('data-verdict')).toBe('verified')
    expect(await claim(card, 'name').textContent()).toBe(XSS_SCRIPT)
    expect(await claim(card, 'note').textContent()).toBe(XSS_IMG)
    expect(await fact(card, 'Issuer name').textContent()).toBe(XSS_NAME)
    await expect.poll(() => claim(card, 'name').isVisible()).toBe(true)
    await screenshot('xss')
    expect(await page.evaluate(() => (window as unknown as { __xss?: string }).__xss)).toBe(
      undefined,
    )
    // The only image is the page's own icon; the card holds no script, image or event handler.
    expect(await page.locator('img').count()).toBe(1)
    expect(await page.locator('#result script, #result img, #result [onerror]').count()).toBe(0)
  })

  it('the policy is enforced: an inline script and an innerHTML assignment are refused (Trusted Types); no violation or error happened before', async () => {
    expect(
      await page.evaluate(() => (window as unknown as { __violations: string[] }).__violations),
    ).toEqual([])
    const attempts = await page.evaluate(() => {
      const outcomes: string[] = []
      try {
        document.createElement('div').innerHTML = '<img src=x>'
        outcomes.push('innerHTML allowed')
      } catch (error) {
        outcomes.push(`innerHTML refused: ${(error as Error).name}`)
      }
      try {
        const script = document.createElement('script')
        script.textContent = 'window.__xss = "inline"'
        document.body.append(script)
        outcomes.push('inline script appended')
      } catch (error) {
        outcomes.push(`inline script refused: ${(error as Error).name}`)
      }
      return outcomes
    })
    expect(attempts).toEqual(['innerHTML refused: TypeError', 'inline script refused: TypeError'])
    expect(await page.evaluate(() => (window as unknown as { __xss?: string }).__xss)).toBe(
      undefined,
    )
    // Everything the page ever requested came from this server.
    const origin = new URL(server.base).origin
    expect(requested.length).toBeGreaterThan(5)
    expect(requested.filter((url) => new URL(url).origin !== origin)).toEqual([])
    // The violations of the attempts above, and nothing else.
    expect(problems.filter((p) => !/requires 'Trusted(HTML|Script)' assignment/.test(p))).toEqual(
      [],
    )
  })

  it('a wrong token is refused in the card and the token field takes focus; Ctrl+Enter in the input verifies', async () => {
    await page.fill('#token', 'not-the-token-0123456789')
    await page.click('#clear-button')
    await page.fill('#input', inputs.jwt)
    await page.focus('#input')
    await page.keyboard.press('Control+Enter')
    const card = page.locator('#result > article')
    await card.waitFor()
    expect(await card.getAttribute('data-verdict')).toBe('error')
    expect(await card.getAttribute('data-code')).toBe('unauthorized')
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('token')
    await page.fill('#token', TOKEN)
  })

  it('a paste that is not JSON, JWT or SD-JWT is a refused card, not an error page', async () => {
    const card = await verifyText('{"@context": [}')
    expect(await card.getAttribute('data-verdict')).toBe('failed')
    expect(await card.locator('ul.errors li').first().getAttribute('data-code')).toBe('malformed')
  })
})

describe('the verifier page takes files and drops', () => {
  it('a file chosen with the file input, and text or a file dropped on the input, are verified at once', async () => {
    const card = page.locator('#result > article')
    const cleared = async (): Promise<void> => {
      await page.click('#clear-button')
      await expect.poll(() => card.count()).toBe(0)
      await page.fill('#challenge', '')
      await page.fill('#domain', '')
    }
    await cleared()
    await page.setInputFiles('#file', {
      name: 'credential.json',
      mimeType: 'application/json',
      buffer: Buffer.from(inputs.dataIntegrity),
    })
    await card.waitFor()
    expect(await card.getAttribute('data-format')).toBe('data-integrity')
    expect(await card.getAttribute('data-verdict')).toBe('verified')

    await cleared()
    const text = await page.evaluateHandle((jwt) => {
      const transfer = new DataTransfer()
      transfer.setData('text/plain', jwt)
      return transfer
    }, inputs.jwt)
    await page.dispatchEvent('#drop-zone', 'drop', { dataTransfer: text })
    await card.waitFor()
    expect(await card.getAttribute('data-format')).toBe('vc+jwt')
    expect(await page.inputValue('#input')).toBe(inputs.jwt)

    await cleared()
    // Its KB-JWT names the verifier it is for: a verifier that names none refuses it.
    await page.fill('#domain', DOMAIN)
    const file = await page.evaluateHandle((sdJwt) => {
      const transfer = new DataTransfer()
      transfer.items.add(new File([sdJwt], 'credential.sd-jwt', { type: 'text/plain' }))
      return transfer
    }, inputs.sdJwt)
    await page.dispatchEvent('#drop-zone', 'drop', { dataTransfer: file })
    await card.waitFor()
    expect(await card.getAttribute('data-format')).toBe('sd-jwt')
    expect(await card.getAttribute('data-verdict')).toBe('verified')
  })

  it('reads on a narrow screen (screenshot)', async () => {
    await page.setViewportSize({ width: 390, height: 844 })
    try {
      const card = await verifyText(inputs.sdJwt, { challenge: CHALLENGE, domain: DOMAIN })
      expect(await card.getAttribute('data-verdict')).toBe('verified')
      const overflow = await page.evaluate(
        () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
      )
      expect(overflow).toBe(0) // nothing wider than the screen
      await screenshot('narrow')
    } finally {
      await page.setViewportSize({ width: 1000, height: 900 })
    }
  })
})

describe('the verifier page is opt-in', () => {
  it('createHandler serves it only with verifierPage: true; credsign serve --no-verifier-page turns it off', async () => {
    const vault = new KeyVault({
      store: new MemoryStore(),
      serviceSecret: crypto.getRandomValues(new Uint8Array(32)),
    })
    const auth = { bearerTokens: [TOKEN] }
    const without = createHandler({ vault, auth })
    expect((await without(new Request('http://localhost/verify'))).status).toBe(404)
    expect((await without(new Request('http://localhost/'))).status).toBe(404)
    const withPage = createHandler({ vault, auth, verifierPage: true })
    expect((await withPage(new Request('http://localhost/verify'))).status).toBe(200)
    const openapi = (await (
      await withPage(new Request('http://localhost/openapi.json'))
    ).json()) as {
      paths: Record<string, Record<string, unknown>>
    }
    expect(Object.keys(openapi.paths['/verify']!).sort()).toEqual(['get', 'post'])

    const off = await serve(['--data-dir', join(dir, 'off'), '--no-verifier-page'], {
      CREDSIGN_TOKENS: TOKEN,
      PBKDF2_ITERATIONS: '1000',
    })
    try {
      expect((await fetch(`${off.base}/verify`)).status).toBe(404)
      expect(off.err.join('\n')).not.toContain('verifier page')
    } finally {
      await off.stop()
    }
  })

  it('the page script parses as JavaScript and builds the DOM without HTML sinks', () => {
    expect(() => new Function(VERIFIER_PAGE_SCRIPT)).not.toThrow()
    expect(VERIFIER_PAGE_SCRIPT).not.toMatch(
      /innerHTML|outerHTML|insertAdjacentHTML|document\.write|eval\(|new Function/,
    )
  })
})

describe('POST /verify echoes no server detail', () => {
  it('a JWT whose kid is a damaged key in a file store: a 500 store_corrupt problem (an outage, not a verdict card), never the file path', async () => {
    const keys = join(dir, 'damaged-keys')
    const vault = new KeyVault({
      store: new FileStore({ directory: keys }),
      serviceSecret: crypto.getRandomValues(new Uint8Array(32)),
      kdf: { id: 'pbkdf2-sha256', iterations: 1000 },
    })
    const keyId = 'did:web:issuer.example#key-1'
    await vault.generate({ id: keyId, algorithm: 'Ed25519', secrets: ['s1'] })
    const jwt = await new JwtVcSigner(await vault.unlock(keyId, ['s1'])).sign({
      '@context': [V2],
      type: ['VerifiableCredential'],
      issuer: 'did:web:issuer.example',
      credentialSubject: { id: 'did:example:alice' },
    })
    await writeFile(join(keys, `${keyFileStem(keyId)}.json`), '{ this is not json')
    const handler = createHandler({ vault, auth: { bearerTokens: [TOKEN] }, verifierPage: true })
    const response = await handler(
      new Request('http://localhost/verify', {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
        body: JSON.stringify({ input: jwt }),
      }),
    )
    expect(response.status).toBe(500)
    const text = await response.text()
    const problem = JSON.parse(text) as { code: string; verified?: boolean }
    expect(problem.code).toBe('store_corrupt')
    expect(problem.verified).toBeUndefined()
    expect(text).not.toContain(keys)
    expect(text).not.toContain(tmpdir())
  })
})
