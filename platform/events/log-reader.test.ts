import { DATABASE_KINDS } from '../../test/support/databases.ts'
import { logReaderSuite } from './log-reader.test-kit.ts'

for (const kind of DATABASE_KINDS) logReaderSuite(kind)
