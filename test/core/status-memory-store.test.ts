import { MemoryStatusListStore } from '../../src/index.js'
import { statusListStoreContract } from './status-store-contract.js'

statusListStoreContract('MemoryStatusListStore', () => new MemoryStatusListStore())
