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
