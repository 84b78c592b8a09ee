// Worker-thread entry of PgliteWorkerDatabase: lets the worker load the
// TypeScript sources the way the main thread does (tsx), then runs them.
import { workerData } from 'node:worker_threads'
import { register } from 'tsx/esm/api'

register()
await import(workerData.entry)
