// The areas as a tree, district → street → community → grid, as nested lists;
// each area but a grid takes a child of the next level, a district is added at
// the top.

import { useState } from 'preact/hooks'
import type { Area } from '../../../../contract/schemas/registry.ts'
import { AREA_KINDS, type AreaKind } from '../../../../contract/vocabulary.ts'
import { Loaded } from '../../components/loading.tsx'
import { t } from '../../i18n/index.ts'
import { api } from '../../session.ts'
import { useData } from '../../use-data.ts'
import { AdminError } from './admin-errors.tsx'
import { useAction } from '../../use-action.ts'

function childKind (kind: AreaKind | null): AreaKind | undefined {
  return kind === null ? AREA_KINDS[0] : AREA_KINDS[AREA_KINDS.indexOf(kind) + 1]
}

export function AreasPage () {
  const areas = useData(async () => await api.request('GET /areas'), [])
  // The area whose child is being added: an id, '' for a new district, undefined for none.
  const [adding, setAdding] = useState<string | undefined>()
  return (
    <section>
      <h1>{t('admin.areas.title')}</h1>
      <p class='muted'>{t('admin.areas.intro')}</p>
      <Loaded data={areas}>
        {(all) => {
          const children = (parentId: string | null): Area[] =>
            all.filter((a) => a.parentId === parentId).sort((a, b) => a.name.localeCompare(b.name))
          const done = (): void => { setAdding(undefined); areas.reload() }
          const node = (a: Area) => {
            const next = childKind(a.kind)
            const kids = children(a.id)
            return (
              <li key={a.id} data-area={a.id}>
                <span class='area-name'>{a.name}</span> <span class='badge'>{t(`areaKind.${a.kind}`)}</span> <span class='muted'>{a.id}</span>
                {next !== undefined && adding !== a.id && (
                  <button type='button' class='link' onClick={() => setAdding(a.id)} aria-label={t('admin.areas.addChildOf', { kind: t(`areaKind.${next}`), name: a.name })}>
                    {t('admin.areas.addChild', { kind: t(`areaKind.${next}`) })}
                  </button>
                )}
                {next !== undefined && adding === a.id && <NewAreaForm parent={a} kind={next} onDone={done} onCancel={() => setAdding(undefined)} />}
                {kids.length > 0 && <ul>{kids.map(node)}</ul>}
              </li>
            )
          }
          const roots = children(null)
          return (
            <>
              {roots.length === 0 ? <p>{t('admin.areas.none')}</p> : <ul class='area-tree'>{roots.map(node)}</ul>}
              {adding === ''
                ? <NewAreaForm parent={null} kind='district' onDone={done} onCancel={() => setAdding(undefined)} />
                : <p><button type='button' onClick={() => setAdding('')}>{t('admin.areas.addDistrict')}</button></p>}
            </>
          )
        }}
      </Loaded>
    </section>
  )
}

function NewAreaForm ({ parent, kind, onDone, onCancel }: { parent: Area | null; kind: AreaKind; onDone: () => void; onCancel: () => void }) {
  const [name, setName] = useState('')
  const [id, setId] = useState('')
  const { busy, error, submit } = useAction()
  const create = submit(async () => {
    await api.request('POST /areas', {
      body: { kind, name: name.trim(), ...(parent === null ? {} : { parentId: parent.id }), ...(id.trim() === '' ? {} : { id: id.trim() }) },
    })
    onDone()
  })
  const title = parent === null
    ? t('admin.areas.newDistrict')
    : t('admin.areas.newChild', { kind: t(`areaKind.${kind}`), parent: parent.name })
  return (
    <form class='inline-form' onSubmit={create} aria-label={title}>
      <h3>{title}</h3>
      <label>
        {t('admin.areas.name')}
        <input name='areaName' required maxLength={100} value={name} autoFocus onInput={(e) => setName(e.currentTarget.value)} />
      </label>
      <label>
        {t('admin.areas.id')} <small>{t('admin.areas.idHint')}</small>
        <input name='areaId' value={id} onInput={(e) => setId(e.currentTarget.value)} />
      </label>
      <AdminError error={error} />
      <div class='actions'>
        <button type='submit' class='primary' disabled={busy}>{t('admin.areas.create')}</button>
        <button type='button' onClick={onCancel}>{t('common.cancel')}</button>
      </div>
    </form>
  )
}
