import Git
import GitFormat

// The lower modules' types that TrailCore's public API takes and returns, named here so that its
// callers (the command line, TrailReports) use them through TrailCore and import neither `Git`
// nor `GitFormat`.

/// A git object id: a commit, tree or blob (SHA-1).
public typealias ObjectID = GitFormat.ObjectID
/// Who made a commit, tag or erasure, and when.
public typealias Signature = GitFormat.Signature
/// How far a fetch, push or clone has got (objects and bytes).
public typealias TransferProgress = Git.TransferProgress
/// A user name and password (or token) for a remote.
public typealias Credentials = Git.Credentials
/// Answers a remote's request for credentials (see `CredentialSource`).
public typealias CredentialProvider = Git.CredentialProvider
/// A configured remote: its name and URL.
public typealias RemoteInfo = Git.Repository.RemoteInfo
