// What an alert says, as data, and its wording in each language: every
// sentence a rule writes has a code and the params it needs (door, room
// number, masked credential, counts, seconds, ISO times; never a full card or
// ID number), and one template per language. The platform fills the alert's
// `explanation` from the English template (webhooks, audit, old clients); the
// consoles word the stored `reason` in the reader's language. Browser-safe.

import type { CredentialKind } from './vocabulary.ts'

/** A credential as an alert names it: its kind and the last four characters (`…3F9A`); null for a PIN. */
export interface PresentedCredential { kind: CredentialKind; masked: string | null }

/** What the reader did with a credential the registry refuses. */
export type ReaderResult = 'granted' | 'denied'

/** Why a credential of this building is no longer valid. */
export const EXPIRY_REASONS = ['departed', 'revoked', 'not_yet_valid', 'validity_ended', 'permit_expired'] as const
export type ExpiryReason = (typeof EXPIRY_REASONS)[number]

type Door = { door: string }
type Presented = { credential: PresentedCredential; door: string; result: ReaderResult }

/** Each code and the params its sentence needs. Params named `…At` are ISO times; `gapS`, seconds. */
export interface AlertReasonParams {
  'unknown_credential.presented': Presented
  'foreign_credential.presented': Presented
  'expired_credential.presented': Presented & { room: string; why: ExpiryReason }
  'outside_window.presented': Presented
  'repeated_denials.door': { count: number; door: string; credential: PresentedCredential }
  'repeated_denials.credential': { count: number; door: string; credential: PresentedCredential }
  'impossible_travel.here': {
    credential: PresentedCredential; door: string; gapS: number
    /** This presentation came after or before the one at the other building. */
    order: 'after' | 'before'
    /** Where the card is registered, seen from this building. */
    holder: 'here' | 'nowhere' | 'elsewhere'
  }
  'impossible_travel.owner': { credential: PresentedCredential; gapS: number }
  'tailgating.counted': { counted: number; door: string; startAt: string; endAt: string; granted: number; excess: number }
  'door_forced.forced': Door
  'door_held_open.held': Door
  'door_held_open.held_for': Door & { seconds: number }
  'tamper.reported': Door & { device: string }
  'device_offline.silent': Door & { device: string; deviceKind: 'reader' | 'camera'; lastAt: string; heartbeatS: number }
  'device_offline.shutdown': { device: string }
  'device_offline.disabled': { device: string }
  'device_offline.secret_rotated': { device: string }
  'device_offline.lost': { device: string }
  'clock_drift.off': { device: string; offsetS: string; direction: 'ahead' | 'behind'; maxS: number }
  'overcrowding_observed.counted': { present: number; room: string; capacity: number; registered: number }
  'overcrowding_registered.counted': { room: string; registered: number; capacity: number }
  'room_vacant.silent': { room: string; days: number; sinceAt: string; registered: number }
  'resident_not_seen.never_seen': { room: string; days: number; arrivedAt: string }
  'resident_not_seen.last_seen': { room: string; days: number; lastSeenAt: string }
  'visitor_overstay.stayed': { room: string; enteredAt: string; deadlineAt: string }
  'reader_not_updated.awaiting_approval': Door & { device: string }
  'reader_not_updated.needs_key': Door & { device: string }
  'reader_not_updated.wrong_key': Door & { device: string }
  cleared: Record<string, never>
  'cleared.device_removed': Record<string, never>
  'cleared.device_disabled': Record<string, never>
  'cleared.device_enabled': Record<string, never>
  'cleared.reader_confirmed': Record<string, never>
  'cleared.reader_disabled': Record<string, never>
  'cleared.reader_gone': Record<string, never>
}

export type AlertReasonCode = keyof AlertReasonParams

/** What an alert says: a code and exactly the params of that code. */
export type AlertReason = { [C in AlertReasonCode]: { code: C; params: AlertReasonParams[C] } }[AlertReasonCode]

export type WordingLanguage = 'zh-CN' | 'en'

/** The enumerated params, worded per language. */
interface Terms {
  result: Record<ReaderResult, string>
  why: Record<ExpiryReason, string>
  order: Record<'after' | 'before', string>
  holder: Record<'here' | 'nowhere' | 'elsewhere', string>
  direction: Record<'ahead' | 'behind', string>
  deviceKind: Record<'reader' | 'camera', string>
  credentialKind: Record<CredentialKind, string>
}

interface Wording {
  /**
   * `{name}` is the param's value (a term, a credential, a time, a duration by the param); `{name:one|other}`
   * (English) is `one` when the param is 1, else `other`, without the number.
   */
  templates: Record<AlertReasonCode, string>
  terms: Terms
  seconds: (n: number) => string
  minutes: (n: number) => string
}

const COPY_EN = 'Two cards carry this number: one is probably a copy.'
const REISSUE_EN = 'check with its holder, and reissue it if they still have theirs.'
const HOLDS_EN = 'Until then it decides on the list it holds: cards revoked since still open the door, new ones do not.'
const UNWATCHED_EN = 'Its door is not watched until it is back.'

const EN: Wording = {
  templates: {
    'unknown_credential.presented': 'Unregistered {credential} presented at door {door}. {result} Anyone living here must be registered by the landlord.',
    'foreign_credential.presented': 'The {credential} presented at door {door} is registered to another building, not this one. {result}',
    'expired_credential.presented': 'The {credential} of room {room} presented at door {door}, but {why}. {result} ' +
      'If the person still lives here, the landlord must register them again or renew the permit.',
    'outside_window.presented': 'The {credential} was presented at door {door} outside its allowed hours. {result}',
    'repeated_denials.door': '{count} access attempts in a row were refused at door {door}, the latest with {credential}. ' +
      'Someone may be trying to get in with cards that are not theirs.',
    'repeated_denials.credential': 'The {credential} was refused {count} times in a row, the latest at door {door}.',
    'impossible_travel.here': 'The {credential} was presented here at door {door} {gapS} {order} it was presented at another building, ' +
      `sooner than anyone can travel between the two. ${COPY_EN} {holder}`,
    'impossible_travel.owner': 'The {credential}, registered here, was presented at two other buildings {gapS} apart, sooner than ' +
      `anyone can travel between them. ${COPY_EN} Check with its holder, and reissue it if they still have theirs.`,
    'tailgating.counted': 'The camera counted {counted} {counted:person|people} entering door {door} between {startAt} and {endAt}, ' +
      'but only {granted} granted {granted:entry explains|entries explain} them: {excess} entered without a credential ' +
      '(tailgating, or someone living here unregistered).',
    'door_forced.forced': 'Door {door} was forced open: it opened without any credential or exit request.',
    'door_held_open.held': 'Door {door} has been held open: anyone can walk in unrecorded until it closes.',
    'door_held_open.held_for': 'Door {door} has been held open for {seconds} s: anyone can walk in unrecorded until it closes.',
    'tamper.reported': 'Device {device} at door {door} reports tampering: its housing was opened or its wiring cut.',
    'device_offline.silent': 'The {deviceKind} {device} at door {door} has sent nothing since {lastAt} ' +
      `(heartbeats every {heartbeatS} s expected). ${UNWATCHED_EN}`,
    'device_offline.shutdown': `Device {device} was shut down. ${UNWATCHED_EN}`,
    'device_offline.disabled': 'Device {device} was disabled by an operator and is off the broker. Its door is not watched until it is enabled again.',
    'device_offline.secret_rotated': 'Device {device} was disconnected because its secret was rotated. ' +
      'Its door is not watched until it connects with the new secret.',
    'device_offline.lost': `Device {device} lost its connection (last will). ${UNWATCHED_EN}`,
    'clock_drift.off': 'The clock of device {device} is {offsetS} s {direction} the platform\'s (at most {maxS} s allowed). ' +
      'Check its NTP settings: its event times are off by as much.',
    'overcrowding_observed.counted': '{present} people of room {room} are inside by the door records, for a capacity of {capacity} ' +
      '({registered} registered). Check on site for group renting or unregistered occupants.',
    'overcrowding_registered.counted': 'Room {room} has {registered} registered residents for a capacity of {capacity} (group renting). ' +
      'Check on site; deregister who has left or correct the capacity.',
    'room_vacant.silent': 'Nobody of room {room} has been seen for more than {days} days (nothing since {sinceAt}; {registered} registered). ' +
      'A house left empty this long should be deregistered.',
    'resident_not_seen.never_seen': 'A resident registered in room {room} has not been seen at any door for more than {days} days ' +
      '(never since arrival on {arrivedAt}). If they have moved out, the landlord should deregister them.',
    'resident_not_seen.last_seen': 'A resident registered in room {room} has not been seen at any door for more than {days} days ' +
      '(last seen {lastSeenAt}). If they have moved out, the landlord should deregister them.',
    'visitor_overstay.stayed': 'A visitor of room {room} entered at {enteredAt} and has not left by the end of the allowed stay ' +
      '({deadlineAt}). Someone staying on must be registered.',
    'reader_not_updated.awaiting_approval': 'Reader {device} at door {door} gets no allow-list updates: its approval was withdrawn ' +
      'when a vendor rotated its secret (with a new allow-list key, or as a vendor of another organisation than the ' +
      `reader's), and whoever holds the new secret waits for the landlord's approval (POST /devices/{device}/approve). ${HOLDS_EN}`,
    'reader_not_updated.needs_key': 'Reader {device} at door {door} gets no allow-list updates: it was provisioned before device protocol ' +
      'revision 2 and holds no allow-list key. Upgrade its firmware to revision 2, then rotate its secret ' +
      `(POST /devices/{device}/rotate-secret) and install the new secret and key. ${HOLDS_EN}`,
    'reader_not_updated.wrong_key': 'Reader {device} at door {door} refused its allow-list (wrong_key): it holds another allow-list key ' +
      `than the one issued at its latest rotation. Install that key, or rotate its secret again and install both. ${HOLDS_EN}`,
    cleared: 'The condition cleared.',
    'cleared.device_removed': 'The device was removed.',
    'cleared.device_disabled': 'The device was disabled by an operator.',
    'cleared.device_enabled': 'The device was enabled again.',
    'cleared.reader_confirmed': 'The reader confirmed its current allow-list.',
    'cleared.reader_disabled': 'The reader was disabled: it is sent no allow-list and its logins are refused; ' +
      'device_offline stays open for it while it is disabled.',
    'cleared.reader_gone': 'The reader is no longer registered.',
  },
  terms: {
    result: { granted: 'The reader let them in: its allow-list is out of date.', denied: 'The reader refused it.' },
    why: {
      departed: 'its holder was deregistered (departed)',
      revoked: 'it was revoked',
      not_yet_valid: 'it is not valid yet',
      validity_ended: 'its validity ended',
      permit_expired: 'the residence permit of its holder expired',
    },
    order: { after: 'after', before: 'before' },
    holder: {
      here: `It is registered here: ${REISSUE_EN}`,
      nowhere: 'It is registered nowhere.',
      elsewhere: 'It is registered to another building.',
    },
    direction: { ahead: 'ahead of', behind: 'behind' },
    deviceKind: { reader: 'reader', camera: 'camera' },
    credentialKind: { card: 'card', ic_card: 'IC card', qr: 'QR code', face: 'face', pin: 'PIN' },
  },
  seconds: (n) => `${n} s`,
  minutes: (n) => `${n} min`,
}

const COPY_ZH = '两张卡带有同一卡号：其中一张很可能是复制卡。'
const REISSUE_ZH = '请向持卡人核实；如其本人的卡仍在手中，请补发新卡。'
const HOLDS_ZH = '在此之前，它按手中的旧名单判断：此后吊销的卡仍能开门，新发的卡却不能。'
const UNWATCHED_ZH = '在其恢复之前，该门无人监控。'

const ZH: Wording = {
  templates: {
    'unknown_credential.presented': '未登记的{credential} 在门 {door} 出示。{result}在此居住的人须由房东登记。',
    'foreign_credential.presented': '在门 {door} 出示的{credential} 登记在其他楼栋，不属于本楼。{result}',
    'expired_credential.presented': '{room} 房间的{credential} 在门 {door} 出示，但{why}。{result}如此人仍住在这里，房东须重新登记或为其续办居住证。',
    'outside_window.presented': '{credential} 在允许时段之外于门 {door} 出示。{result}',
    'repeated_denials.door': '门 {door} 连续 {count} 次拒绝通行，最近一次使用的是{credential}。可能有人在用不属于自己的卡试图进入。',
    'repeated_denials.credential': '{credential} 连续 {count} 次被拒绝，最近一次在门 {door}。',
    'impossible_travel.here': `{credential} 在本楼门 {door} 出示，{order}其在其他楼栋出示 {gapS}，短于两地之间任何人所需的行程时间。${COPY_ZH}{holder}`,
    'impossible_travel.owner': `登记在本楼的{credential} 在另外两栋楼先后出示，相隔 {gapS}，短于两地之间任何人所需的行程时间。${COPY_ZH}${REISSUE_ZH}`,
    'tailgating.counted': '摄像头统计到 {startAt} 至 {endAt} 之间有 {counted} 人经门 {door} 进入，但只有 {granted} 次授权通行可以对应：' +
      '{excess} 人未凭证进入（尾随进入，或有未登记的人住在这里）。',
    'door_forced.forced': '门 {door} 被强行打开：开门时没有任何凭证或出门请求。',
    'door_held_open.held': '门 {door} 一直敞开：关门之前任何人都可以不留记录地进入。',
    'door_held_open.held_for': '门 {door} 已敞开 {seconds} 秒：关门之前任何人都可以不留记录地进入。',
    'tamper.reported': '门 {door} 的设备 {device} 报告被破坏：外壳被打开或线路被剪断。',
    'device_offline.silent': `门 {door} 的{deviceKind} {device} 自 {lastAt} 起没有发来任何消息（应每 {heartbeatS} 秒发送心跳）。${UNWATCHED_ZH}`,
    'device_offline.shutdown': `设备 {device} 已关机。${UNWATCHED_ZH}`,
    'device_offline.disabled': '设备 {device} 已被运维人员停用，并已断开与平台的连接。重新启用之前，该门无人监控。',
    'device_offline.secret_rotated': '设备 {device} 因密钥轮换而被断开。在其用新密钥重新连接之前，该门无人监控。',
    'device_offline.lost': `设备 {device} 连接中断（遗嘱消息）。${UNWATCHED_ZH}`,
    'clock_drift.off': '设备 {device} 的时钟比平台{direction} {offsetS} 秒（最多允许 {maxS} 秒）。请检查其 NTP 设置：其事件时间也相差同样多。',
    'overcrowding_observed.counted': '根据门禁记录，{room} 房间有 {present} 人在内，核定人数为 {capacity}（已登记 {registered} 人）。请现场核查是否存在群租或未登记居住。',
    'overcrowding_registered.counted': '{room} 房间登记住户 {registered} 人，超过核定人数 {capacity}（群租）。请现场核查；为已搬离者注销登记，或更正核定人数。',
    'room_vacant.silent': '{room} 房间已超过 {days} 天无人出入（自 {sinceAt} 起无记录；已登记 {registered} 人）。空置如此之久的出租房应注销登记。',
    'resident_not_seen.never_seen': '登记在 {room} 房间的一位住户已超过 {days} 天未在任何门出现（自 {arrivedAt} 入住以来从未出现）。如已搬离，房东应为其注销登记。',
    'resident_not_seen.last_seen': '登记在 {room} 房间的一位住户已超过 {days} 天未在任何门出现（最后一次出现于 {lastSeenAt}）。如已搬离，房东应为其注销登记。',
    'visitor_overstay.stayed': '{room} 房间的一位访客于 {enteredAt} 进入，至允许停留期限（{deadlineAt}）仍未离开。继续居住者须办理登记。',
    'reader_not_updated.awaiting_approval': '门 {door} 的读卡器 {device} 收不到白名单更新：厂商轮换其密钥时（换了白名单密钥，或由其他机构的厂商操作）' +
      `其审批被撤回，持有新密钥的一方在等待房东审批（POST /devices/{device}/approve）。${HOLDS_ZH}`,
    'reader_not_updated.needs_key': '门 {door} 的读卡器 {device} 收不到白名单更新：它在设备协议第 2 版之前开通，没有白名单密钥。' +
      `请将其固件升级到第 2 版，再轮换其密钥（POST /devices/{device}/rotate-secret）并安装新密钥和白名单密钥。${HOLDS_ZH}`,
    'reader_not_updated.wrong_key': '门 {door} 的读卡器 {device} 拒收其白名单（wrong_key）：它持有的白名单密钥不是最近一次轮换时签发的那把。' +
      `请安装该密钥，或再次轮换其密钥并安装两者。${HOLDS_ZH}`,
    cleared: '情况已解除。',
    'cleared.device_removed': '设备已被移除。',
    'cleared.device_disabled': '设备已被运维人员停用。',
    'cleared.device_enabled': '设备已重新启用。',
    'cleared.reader_confirmed': '读卡器已确认其当前白名单。',
    'cleared.reader_disabled': '读卡器已停用：平台不再向其下发白名单并拒绝其登录；停用期间其 device_offline 告警保持开启。',
    'cleared.reader_gone': '读卡器已不再登记。',
  },
  terms: {
    result: { granted: '读卡器放行了：其白名单已过时。', denied: '读卡器已拒绝。' },
    why: {
      departed: '持有人已注销登记（已搬离）',
      revoked: '该凭证已被吊销',
      not_yet_valid: '该凭证尚未生效',
      validity_ended: '该凭证已过有效期',
      permit_expired: '持有人的居住证已过期',
    },
    order: { after: '晚于', before: '早于' },
    holder: { here: `该卡登记在本楼：${REISSUE_ZH}`, nowhere: '该卡未在任何楼栋登记。', elsewhere: '该卡登记在其他楼栋。' },
    direction: { ahead: '快', behind: '慢' },
    deviceKind: { reader: '读卡器', camera: '摄像头' },
    credentialKind: { card: '门卡', ic_card: 'IC 卡', qr: '二维码', face: '人脸', pin: '密码' },
  },
  seconds: (n) => `${n} 秒`,
  minutes: (n) => `${n} 分钟`,
}

export const ALERT_WORDING: Readonly<Record<WordingLanguage, Wording>> = { 'zh-CN': ZH, en: EN }

export const ALERT_REASON_CODES = Object.keys(EN.templates) as AlertReasonCode[]

export function isAlertReasonCode (code: string): code is AlertReasonCode {
  return Object.hasOwn(EN.templates, code)
}

/** The params a template names (`{door}`, `{counted:person|people}` -> door, counted). */
export function placeholders (template: string): Set<string> {
  return new Set([...template.matchAll(/\{(\w+)(?::[^}]*)?\}/g)].map((m) => m[1]!))
}

export interface WordingOptions {
  /** How an ISO time param reads (the consoles: in the building's zone). Default: as stored. */
  time?: (iso: string) => string
}

const TERM_PARAMS: ReadonlySet<string> = new Set(['result', 'why', 'order', 'holder', 'direction', 'deviceKind'])

function credentialPhrase (w: Wording, c: PresentedCredential): string {
  const kind = w.terms.credentialKind[c.kind] ?? String(c.kind)
  return c.masked === null || c.kind === 'pin' ? kind : `${kind} ${c.masked}`
}

function duration (w: Wording, s: number): string {
  return s < 120 ? w.seconds(Math.round(s)) : w.minutes(Math.round(s / 60))
}

function param (w: Wording, name: string, value: unknown, o: WordingOptions): string {
  if (value === undefined || value === null) return '?'
  if (name === 'credential' && typeof value === 'object') return credentialPhrase(w, value as PresentedCredential)
  if (TERM_PARAMS.has(name)) return (w.terms[name as keyof Terms] as Record<string, string>)[String(value)] ?? String(value)
  if (name === 'gapS' && typeof value === 'number') return duration(w, value)
  if (name.endsWith('At') && typeof value === 'string') return o.time?.(value) ?? value
  return String(value)
}

/** The sentence of `reason` in `lang`. */
export function wordAlert (reason: AlertReason, lang: WordingLanguage, o: WordingOptions = {}): string {
  const w = ALERT_WORDING[lang] ?? EN
  const params = reason.params as Record<string, unknown>
  return w.templates[reason.code].replace(/\{(\w+)(?::([^|}]*)\|([^}]*))?\}/g, (_m, name: string, one?: string, other?: string) =>
    one === undefined ? param(w, name, params[name], o) : params[name] === 1 ? one : (other ?? ''))
}

/** The English sentence, as the platform stores it in `explanation`. */
export const explain = (reason: AlertReason): string => wordAlert(reason, 'en')

/** What a candidate says: its reason, and the English sentence of it as its explanation. */
export function says<C extends AlertReasonCode> (code: C, params: AlertReasonParams[C]): { reason: AlertReason; explanation: string } {
  const reason = { code, params } as AlertReason
  return { reason, explanation: explain(reason) }
}
