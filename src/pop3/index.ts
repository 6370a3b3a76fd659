export { Pop3Client, DEFAULT_PORTS, DEFAULT_TIMEOUTS } from './client';
export type { Pop3Options, Security, Timeouts, MessageSize, MessageUid } from './client';
export type { AuthMechanism, Credentials } from './auth';
export type { BodySink, TraceHook, TraceDirection } from './connection';
export { Pop3Error, CertificateError } from './errors';
export type { Pop3ErrorKind } from './errors';
export { checkPeerCertificate, describeSocketError, formatFingerprint, normalizeFingerprint } from './transport';
export type { TlsOptions } from './transport';
