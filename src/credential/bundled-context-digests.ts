// Digests of the exact bytes of the W3C context files the bundled contexts of credsign/data-integrity
// were generated from (scripts/bundle-contexts.mjs; sources and commits in /work/shared/vectors/SOURCES.md,
// copies in test/fixtures/vectors/w3c-contexts). The bundle holds the parsed JSON, not the bytes, and
// `relatedResource` digests are over the bytes as served, so the bytes' digests are kept here.
// test/core/vc-related-resource.test.ts checks that each file parses to the bundled document and
// hashes to these values. Contexts bundled from npm packages (ed25519-2020, odrl) are left out: the
// package's bytes are not known to be the bytes w3id.org / w3.org serve.
// Regenerate with sha256/sha384/sha512 of each file (hex) when scripts/bundle-contexts.mjs changes.

/** Hex SHA-2 digests of one resource's bytes. @internal */
export interface KnownDigests {
  sha256: string
  sha384: string
  sha512: string
}

/** Digests of the bundled W3C contexts' source bytes, by context URL. @internal */
export const BUNDLED_CONTEXT_DIGESTS: ReadonlyMap<string, KnownDigests> = new Map<
  string,
  KnownDigests
>([
  // w3c/vc-data-model 979c4af: vc-data-model/contexts/credentials/v1 (7687 bytes)
  [
    'https://www.w3.org/2018/credentials/v1',
    {
      sha256: 'ab4ddd9a531758807a79a5b450510d61ae8d147eab966cc9a200c07095b0cdcc',
      sha384:
        '82c3b3eab863754bbfd2b9f17d8d6db9f61169f301cbf0b05e1fc4beb5f5c51dd4d2e888c274f49c3fbb2408f61faed1',
      sha512:
        '536a40b390dda94a9e39196c00090f62668e8184fe3c8c02c4a22c85666e68bf6e85d3dc7f2dba85b2b62ef95d97de24132568d8504db43f2c9c82d2e88418d2',
    },
  ],
  // w3c/vc-data-model 979c4af: vc-data-model/contexts/credentials/v2 (10131 bytes)
  [
    'https://www.w3.org/ns/credentials/v2',
    {
      sha256: '59955ced6697d61e03f2b2556febe5308ab16842846f5b586d7f1f7adec92734',
      sha384:
        '97f1eb8e5042356c805fdd61afa2c557663785e0794dcafa21e138fd38def18cb360133c221aa31d6896a6bf3e65b614',
      sha512:
        '5d55452bd2dcf8a29f5a290473eb242b1c5fb77d4e68f1a0aa87baa4dba2694852d65ec63d48ac04a99d956f9f7153b9406f84d2d04c74869b02c239a1d81305',
    },
  ],
  // w3c/vc-data-model 979c4af: vc-data-model/contexts/credentials/examples/v1 (2042 bytes)
  [
    'https://www.w3.org/2018/credentials/examples/v1',
    {
      sha256: '2070ae4e75bc3b4c2cfe2b8b6e86ec45119672bbb5da283f0399ea96c60a0104',
      sha384:
        '28011554bfae6f952a3bd28a921405b66c1a4d059e70d20cdb2424ca5f8a511a576960d56a70670be362633225122f28',
      sha512:
        '0b547bd9d17571de50d19e79e81aa9c84a3e1929eb732435cd73d1aefecec7a93203485920416c1671c72d109d17e979c335105535d60a8623caf30cf891f90d',
    },
  ],
  // w3c/vc-data-model 979c4af: vc-data-model/contexts/credentials/examples/v2 (84 bytes)
  [
    'https://www.w3.org/ns/credentials/examples/v2',
    {
      sha256: '57393fbc69d6efb9b9b5dc9cb6b9880b0944360abfe2eaf459c9e58cf2279d7c',
      sha384:
        'ccd35b4135824944a2d1b6f3edd6ee6be45c10dbfb0ba16f966609d58f88ef6ec7b0f387773c042cc60ef4ccfaf0cdba',
      sha512:
        '8d563097eab123966bd7fb88a2566d19fb369112dabfde9badfd553c04e101beb230918f58f5b927881f7b32d16045f8ac0f601b4574eeb09521bfbf9e539669',
    },
  ],
  // w3c/vc-data-model 979c4af: vc-data-model/contexts/credentials/undefined-terms/v2 (90 bytes)
  [
    'https://www.w3.org/ns/credentials/undefined-terms/v2',
    {
      sha256: '82dab514ba44eb18f5d1b0f638c5e140c6a556fbfb5089601bdc0fa5eb8b2581',
      sha384:
        'b2a66ccddba70ba67ad99c2ff52e60558df0063cea51c4ca886e25d9ea73cfabb878baf92dc2ad2bda26c31391850d68',
      sha512:
        '7c525ff49bc479ec5da7fccf5d56497e4be408eb269d36609cc1f6ce1f9c4ee23e4aefb53d3728b4a1cac56da6518fcfde789af23a5dfb77f4ce693eb5ed581b',
    },
  ],
  // w3c/vc-data-integrity 570d764: vc-data-integrity/contexts/data-integrity/v1 (2392 bytes)
  [
    'https://w3id.org/security/data-integrity/v1',
    {
      sha256: 'b5d829bd09aa7c42abc6efa0c8ed7635313b5487f37ccfce3ecd149ca9418554',
      sha384:
        '1f7b51154c2cb596b804d3eedeabb7678c7ea4d36f5201496a681dbd868d5dc0cb90a8839f5142ccdc91fdb92c5adcf2',
      sha512:
        'c49951bd9f3e8f4d231fce5e45798a2d32fb7ef4a4f1a2e8d2f3dab5d10333a1421339974ee77159edae259fcf73c7cf136f1e3004ded5af25ac38983d2e8eca',
    },
  ],
  // w3c/vc-data-integrity 570d764: vc-data-integrity/contexts/data-integrity/v2 (2609 bytes)
  [
    'https://w3id.org/security/data-integrity/v2',
    {
      sha256: '67f21e6e33a6c14e5ccfd2fc7865f7474fb71a04af7e94136cb399dfac8ae8f4',
      sha384:
        '0ee2d7626717f8b07cd449b525d5e2b71fe27209fc99e53089e0169dd2944d793feea4526fc60bb9cca1cd96512391f6',
      sha512:
        '39cd7a9a4047b74b8524640fe35633e81e8286d14bdbb7e77d0e08d850b00d6a35b0185d5de35c479baedb23a17989d9f628ac95531fdd79c0c5a0f632d9fa95',
    },
  ],
  // w3c/vc-data-integrity 570d764: vc-data-integrity/contexts/multikey/v1 (1010 bytes)
  [
    'https://w3id.org/security/multikey/v1',
    {
      sha256: 'ba2c182de2d92f7e47184bcca8fcf0beaee6d3986c527bf664c195bbc7c58597',
      sha384:
        '0fa51641d12fb8c701b2e6a9492556f25d32bb4af84a96f11808f0a623b972434dd18a8f1f1865bc68d8ee046c4e5a3e',
      sha512:
        '127d1338ea7f702d745ed5bf6900eda8aac4419da5463181fca02c27e05085106e7d3eece9ea0e156bcff5c3f99eead397785c453bc579f7dd5496a991e10b5f',
    },
  ],
  // w3c/vc-data-integrity 570d764: vc-data-integrity/contexts/jwk/v1 (930 bytes)
  [
    'https://w3id.org/security/jwk/v1',
    {
      sha256: '0f14b62f6071aafe00df265770ea0c7508e118247d79b7d861a406d2aa00bece',
      sha384:
        '762dc55ce79f361e3bbeb7d3cb0ddb3e44b8e2885261f8283183959d1aaa33904af6a8005059ed9641500eab7d8ddae5',
      sha512:
        '0efbff84523d720a2f331fec4fbedc969ee2e75764c0ed325c72cb56bc539d3a9c642023c958735afd5357554ab1f7e13111f0dcf861f59b2bc045126cd85211',
    },
  ],
  // w3c/did-spec-registries c315db9: did-spec-registries/vocabs/v1/context.jsonld (1474 bytes)
  [
    'https://www.w3.org/ns/did/v1',
    {
      sha256: '4f3eae5568c9c5f036a082088f9e192019ee06faa78973c87ff91d5421b88dad',
      sha384:
        '75f4decf8174a6f2d40c0ddbd8cdfb4300ead2466db4932259a483a6e11774932f15880786e1fbc16c4b399f9891b92b',
      sha512:
        'ec55295367dbe3aec9020b8807d0590a735d87cdcbb35ff04ef68537a6d09be9e3c1e47cead74b855d3584f83ad408f34da9b925647e084954aaf7f54807858f',
    },
  ],
  // w3c-ccg/citizenship-vocab 50a3689: citizenship-vocab/contexts/citizenship-v4rc1.jsonld (7394 bytes)
  [
    'https://w3id.org/citizenship/v4rc1',
    {
      sha256: '5038c7383afd7ab2158f1b997913a8f60978a0abcf96e0b0d08e29f146d2db1e',
      sha384:
        '694d11903ad55bee8551d5cffb32492110f23164ecf29ad828a64260963483cc9ede95ebb739bfd54cf772e5b2a21133',
      sha512:
        'ff2fe5bec1bd02b2d2e4977b9013237bee0761b45cab26f6b1129c1508874c9bebf0c15465b0ac4c2bbddf04e58c06505c69edef8af4c29e5033ef5168f87472',
    },
  ],
])
