import pino from 'pino'
import { describe, expect, it } from 'vitest'
import { Lifecycle, steps } from './lifecycle.ts'

function recorder () {
  const seen: string[] = []
  const part = (name: string, o: { failStart?: boolean; failStop?: boolean } = {}) => steps(name, () => {
    if (o.failStart === true) throw new Error(`${name} would not start`)
    seen.push(`start ${name}`)
  }, () => {
    seen.push(`stop ${name}`)
    if (o.failStop === true) throw new Error(`${name} would not stop`)
  })
  return { seen, part }
}

describe('Lifecycle', () => {
  it('starts in order and stops in reverse, once', async () => {
    const { seen, part } = recorder()
    const life = new Lifecycle(pino({ level: 'silent' }))
    await life.startAll([part('a'), part('b')])
    await life.start(part('c'))
    expect(life.names()).toEqual(['a', 'b', 'c'])
    await life.stop()
    await life.stop()
    expect(seen).toEqual(['start a', 'start b', 'start c', 'stop c', 'stop b', 'stop a'])
  })

  it('once cancelled starts nothing more, keeps the part that was starting for stop(), and stops it', async () => {
    const { seen, part } = recorder()
    const cancel = new AbortController()
    const life = new Lifecycle(pino({ level: 'silent' }), cancel.signal)
    const slow = steps('slow', async () => { cancel.abort(new Error('stopped while starting')); seen.push('start slow') }, () => { seen.push('stop slow') })
    await expect(life.startAll([part('a'), slow, part('b')])).rejects.toThrow('stopped while starting')
    expect(seen).toEqual(['start a', 'start slow', 'stop slow', 'stop a'])
    await expect(life.start(part('c'))).rejects.toThrow('stopped while starting')
  })

  it('runs one stop at a time: a second call waits for the first instead of stopping parts beside it', async () => {
    const seen: string[] = []
    const life = new Lifecycle(pino({ level: 'silent' }))
    const slowStop = (name: string) => steps(name, undefined, async () => {
      seen.push(`stopping ${name}`)
      await new Promise((resolve) => setTimeout(resolve, 30))
      seen.push(`stopped ${name}`)
    })
    await life.startAll([slowStop('a'), slowStop('b')])
    await Promise.all([life.stop(), life.stop()])
    expect(seen).toEqual(['stopping b', 'stopped b', 'stopping a', 'stopped a'])
  })

  it('on a failed start stops what started, in reverse, and throws the start error', async () => {
    const { seen, part } = recorder()
    const life = new Lifecycle(pino({ level: 'silent' }))
    await expect(life.startAll([part('a'), part('b'), part('c', { failStart: true }), part('d')])).rejects.toThrow('c would not start')
    expect(seen).toEqual(['start a', 'start b', 'stop b', 'stop a'])
  })

  it('logs a failing stop and goes on with the rest', async () => {
    const { seen, part } = recorder()
    const lines: Array<{ part?: string; msg?: string }> = []
    const life = new Lifecycle(pino({ level: 'error' }, { write: (l: string) => { lines.push(JSON.parse(l)) } }))
    await life.startAll([part('a'), part('b', { failStop: true }), part('c')])
    await life.stop()
    expect(seen).toEqual(['start a', 'start b', 'start c', 'stop c', 'stop b', 'stop a'])
    expect(lines).toMatchObject([{ part: 'b', msg: 'error while stopping' }])
  })
})
