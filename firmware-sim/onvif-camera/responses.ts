// The response bodies of the device and media services, and the event service's fixed descriptions. Pure
// functions of the camera's description.

import { esc } from './xml.ts'
import { NS, isoSeconds } from './soap.ts'

export interface CameraIdentity {
  manufacturer: string
  model: string
  firmwareVersion: string
  serialNumber: string
  hardwareId: string
  name: string
  location: string
  /** Stable endpoint reference, `urn:uuid:…`. */
  endpoint: string
}

export interface Endpoints { device: string, media: string, events: string, snapshot: (profile: string) => string, rtsp: string }

export const VIDEO_SOURCE = 'vs-1'
export const PROFILES = [
  { token: 'profile-main', name: 'mainStream', width: 1920, height: 1080, fps: 25, bitrate: 4096, quality: 5 },
  { token: 'profile-sub', name: 'subStream', width: 640, height: 360, fps: 12, bitrate: 512, quality: 3 },
] as const

export function systemDateAndTime (cameraNowMs: number): string {
  const d = new Date(Math.floor(cameraNowMs / 1000) * 1000)
  const local = new Date(d.getTime() + 8 * 3600_000) // the site's zone, China Standard Time
  const dt = (x: Date): string =>
    `<tt:Time><tt:Hour>${x.getUTCHours()}</tt:Hour><tt:Minute>${x.getUTCMinutes()}</tt:Minute><tt:Second>${x.getUTCSeconds()}</tt:Second></tt:Time>` +
    `<tt:Date><tt:Year>${x.getUTCFullYear()}</tt:Year><tt:Month>${x.getUTCMonth() + 1}</tt:Month><tt:Day>${x.getUTCDate()}</tt:Day></tt:Date>`
  return '<tds:GetSystemDateAndTimeResponse><tds:SystemDateAndTime>' +
    '<tt:DateTimeType>Manual</tt:DateTimeType><tt:DaylightSavings>false</tt:DaylightSavings>' +
    '<tt:TimeZone><tt:TZ>CST-8</tt:TZ></tt:TimeZone>' +
    `<tt:UTCDateTime>${dt(d)}</tt:UTCDateTime><tt:LocalDateTime>${dt(local)}</tt:LocalDateTime>` +
    '</tds:SystemDateAndTime></tds:GetSystemDateAndTimeResponse>'
}

export function deviceInformation (id: CameraIdentity): string {
  return '<tds:GetDeviceInformationResponse>' +
    `<tds:Manufacturer>${esc(id.manufacturer)}</tds:Manufacturer><tds:Model>${esc(id.model)}</tds:Model>` +
    `<tds:FirmwareVersion>${esc(id.firmwareVersion)}</tds:FirmwareVersion>` +
    `<tds:SerialNumber>${esc(id.serialNumber)}</tds:SerialNumber><tds:HardwareId>${esc(id.hardwareId)}</tds:HardwareId>` +
    '</tds:GetDeviceInformationResponse>'
}

export function capabilities (ep: Endpoints): string {
  return '<tds:GetCapabilitiesResponse><tds:Capabilities>' +
    `<tt:Device><tt:XAddr>${esc(ep.device)}</tt:XAddr>` +
    '<tt:System><tt:DiscoveryResolve>false</tt:DiscoveryResolve><tt:DiscoveryBye>false</tt:DiscoveryBye>' +
    '<tt:RemoteDiscovery>false</tt:RemoteDiscovery><tt:SystemBackup>false</tt:SystemBackup>' +
    '<tt:SystemLogging>false</tt:SystemLogging><tt:FirmwareUpgrade>false</tt:FirmwareUpgrade>' +
    '<tt:SupportedVersions><tt:Major>2</tt:Major><tt:Minor>60</tt:Minor></tt:SupportedVersions></tt:System>' +
    '</tt:Device>' +
    `<tt:Events><tt:XAddr>${esc(ep.events)}</tt:XAddr><tt:WSSubscriptionPolicySupport>false</tt:WSSubscriptionPolicySupport>` +
    '<tt:WSPullPointSupport>true</tt:WSPullPointSupport>' +
    '<tt:WSPausableSubscriptionManagerInterfaceSupport>false</tt:WSPausableSubscriptionManagerInterfaceSupport></tt:Events>' +
    `<tt:Media><tt:XAddr>${esc(ep.media)}</tt:XAddr><tt:StreamingCapabilities><tt:RTPMulticast>false</tt:RTPMulticast>` +
    '<tt:RTP_TCP>true</tt:RTP_TCP><tt:RTP_RTSP_TCP>true</tt:RTP_RTSP_TCP></tt:StreamingCapabilities></tt:Media>' +
    '</tds:Capabilities></tds:GetCapabilitiesResponse>'
}

export function services (ep: Endpoints, includeCapability: boolean): string {
  const service = (ns: string, xaddr: string, caps: string): string =>
    `<tds:Service><tds:Namespace>${ns}</tds:Namespace><tds:XAddr>${esc(xaddr)}</tds:XAddr>` +
    (includeCapability ? `<tds:Capabilities>${caps}</tds:Capabilities>` : '') +
    '<tds:Version><tt:Major>2</tt:Major><tt:Minor>60</tt:Minor></tds:Version></tds:Service>'
  return '<tds:GetServicesResponse>' +
    service(NS.tds, ep.device, '<tds:Capabilities><tds:Security UsernameToken="true" HttpDigest="false"/></tds:Capabilities>') +
    service(NS.trt, ep.media, '<trt:Capabilities SnapshotUri="true"/>') +
    service(NS.tev, ep.events, '<tev:Capabilities WSSubscriptionPolicySupport="false" WSPullPointSupport="true" MaxPullPoints="8"/>') +
    '</tds:GetServicesResponse>'
}

export function scopeUris (id: CameraIdentity): string[] {
  const part = (s: string): string => encodeURIComponent(s.replace(/\s+/g, '_'))
  return [
    'onvif://www.onvif.org/type/video_encoder', 'onvif://www.onvif.org/Profile/Streaming',
    `onvif://www.onvif.org/name/${part(id.name)}`, `onvif://www.onvif.org/hardware/${part(id.model)}`,
    `onvif://www.onvif.org/location/${part(id.location)}`,
  ]
}

export function scopes (id: CameraIdentity): string {
  return '<tds:GetScopesResponse>' + scopeUris(id).map((uri) =>
    `<tds:Scopes><tt:ScopeDef>Fixed</tt:ScopeDef><tt:ScopeItem>${esc(uri)}</tt:ScopeItem></tds:Scopes>`).join('') +
    '</tds:GetScopesResponse>'
}

function profileXml (p: typeof PROFILES[number]): string {
  return `<trt:Profiles token="${p.token}" fixed="true"><tt:Name>${p.name}</tt:Name>` +
    `<tt:VideoSourceConfiguration token="vsc-1"><tt:Name>videoSource</tt:Name><tt:UseCount>2</tt:UseCount>` +
    `<tt:SourceToken>${VIDEO_SOURCE}</tt:SourceToken><tt:Bounds x="0" y="0" width="1920" height="1080"/></tt:VideoSourceConfiguration>` +
    `<tt:VideoEncoderConfiguration token="vec-${p.token}"><tt:Name>${p.name}</tt:Name><tt:UseCount>1</tt:UseCount>` +
    `<tt:Encoding>H264</tt:Encoding><tt:Resolution><tt:Width>${p.width}</tt:Width><tt:Height>${p.height}</tt:Height></tt:Resolution>` +
    `<tt:Quality>${p.quality}</tt:Quality><tt:RateControl><tt:FrameRateLimit>${p.fps}</tt:FrameRateLimit>` +
    `<tt:EncodingInterval>1</tt:EncodingInterval><tt:BitrateLimit>${p.bitrate}</tt:BitrateLimit></tt:RateControl>` +
    `<tt:H264><tt:GovLength>${p.fps * 2}</tt:GovLength><tt:H264Profile>Main</tt:H264Profile></tt:H264>` +
    '<tt:Multicast><tt:Address><tt:Type>IPv4</tt:Type><tt:IPv4Address>0.0.0.0</tt:IPv4Address></tt:Address>' +
    '<tt:Port>0</tt:Port><tt:TTL>0</tt:TTL><tt:AutoStart>false</tt:AutoStart></tt:Multicast>' +
    '<tt:SessionTimeout>PT60S</tt:SessionTimeout></tt:VideoEncoderConfiguration>' +
    '<tt:VideoAnalyticsConfiguration token="va-1"><tt:Name>analytics</tt:Name><tt:UseCount>2</tt:UseCount>' +
    '<tt:AnalyticsEngineConfiguration/><tt:RuleEngineConfiguration/></tt:VideoAnalyticsConfiguration>' +
    '</trt:Profiles>'
}

export function profiles (): string {
  return `<trt:GetProfilesResponse>${PROFILES.map(profileXml).join('')}</trt:GetProfilesResponse>`
}

export function videoSources (): string {
  return `<trt:GetVideoSourcesResponse><trt:VideoSources token="${VIDEO_SOURCE}"><tt:Framerate>25</tt:Framerate>` +
    '<tt:Resolution><tt:Width>1920</tt:Width><tt:Height>1080</tt:Height></tt:Resolution></trt:VideoSources>' +
    '</trt:GetVideoSourcesResponse>'
}

export function mediaUri (element: 'GetSnapshotUriResponse' | 'GetStreamUriResponse', uri: string): string {
  return `<trt:${element}><trt:MediaUri><tt:Uri>${esc(uri)}</tt:Uri>` +
    '<tt:InvalidAfterConnect>false</tt:InvalidAfterConnect><tt:InvalidAfterReboot>false</tt:InvalidAfterReboot>' +
    `<tt:Timeout>PT0S</tt:Timeout></trt:MediaUri></trt:${element}>`
}

const SOURCE_DESCRIPTION = (extra: string): string =>
  '<tt:Source><tt:SimpleItemDescription Name="VideoSourceConfigurationToken" Type="tt:ReferenceToken"/>' +
  '<tt:SimpleItemDescription Name="VideoAnalyticsConfigurationToken" Type="tt:ReferenceToken"/>' +
  `${extra}</tt:Source>`

export function eventProperties (): string {
  const rule = '<tt:SimpleItemDescription Name="Rule" Type="xs:string"/>'
  return '<tev:GetEventPropertiesResponse>' +
    '<tev:TopicNamespaceLocation>http://www.onvif.org/onvif/ver10/topics/topicns.xml</tev:TopicNamespaceLocation>' +
    '<wsnt:FixedTopicSet>true</wsnt:FixedTopicSet>' +
    '<wstop:TopicSet>' +
    '<tns1:RuleEngine><LineDetector><Crossed wstop:topic="true"><tt:MessageDescription IsProperty="false">' +
    SOURCE_DESCRIPTION(rule) + '<tt:Data><tt:SimpleItemDescription Name="ObjectId" Type="xs:integer"/></tt:Data>' +
    '</tt:MessageDescription></Crossed></LineDetector>' +
    '<FieldDetector><ObjectsInside wstop:topic="true"><tt:MessageDescription IsProperty="true">' +
    SOURCE_DESCRIPTION(rule) + '<tt:Data><tt:SimpleItemDescription Name="IsInside" Type="xs:boolean"/></tt:Data>' +
    '</tt:MessageDescription></ObjectsInside></FieldDetector></tns1:RuleEngine>' +
    '<tns1:VideoSource><GlobalSceneChange><ImagingService wstop:topic="true"><tt:MessageDescription IsProperty="true">' +
    '<tt:Source><tt:SimpleItemDescription Name="Source" Type="tt:ReferenceToken"/></tt:Source>' +
    '<tt:Data><tt:SimpleItemDescription Name="State" Type="xs:boolean"/></tt:Data>' +
    '</tt:MessageDescription></ImagingService></GlobalSceneChange></tns1:VideoSource>' +
    '</wstop:TopicSet>' +
    '<wsnt:TopicExpressionDialect>http://www.onvif.org/ver10/tev/topicExpression/ConcreteSet</wsnt:TopicExpressionDialect>' +
    '<wsnt:TopicExpressionDialect>http://docs.oasis-open.org/wsn/t-1/TopicExpression/Concrete</wsnt:TopicExpressionDialect>' +
    '<tev:MessageContentFilterDialect>http://www.onvif.org/ver10/tev/messageContentFilter/ItemFilter</tev:MessageContentFilterDialect>' +
    '<tev:MessageContentSchemaLocation>http://www.onvif.org/onvif/ver10/schema/onvif.xsd</tev:MessageContentSchemaLocation>' +
    '</tev:GetEventPropertiesResponse>'
}

/** CurrentTime and TerminationTime, both in the camera's clock, as subscription answers carry them. */
export function subscriptionTimes (nowMs: number, terminationMs: number, prefix: 'wsnt' | 'tev' = 'wsnt'): string {
  return `<${prefix}:CurrentTime>${isoSeconds(nowMs)}</${prefix}:CurrentTime>` +
    `<${prefix}:TerminationTime>${isoSeconds(terminationMs)}</${prefix}:TerminationTime>`
}
