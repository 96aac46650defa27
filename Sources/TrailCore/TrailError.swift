import GitFormat
import SQLite

/// An error a Trail user can act on: what happened, and what to do about it.
///
/// `kind` says what sort of failure it is, with its context, for code to match
/// (`if case .busy = error.kind`); `message`, `details` and `hint` are the words for people.
/// The core chooses no exit code: the command line maps `kind` to one.
public struct TrailError: Error, CustomStringConvertible, Equatable {
    /// What sort of failure an error is, with the context it names.
    public enum Kind: Equatable, Sendable {
        /// The command was given something it cannot use: a bad or missing argument, an invalid
        /// name, an option value or combination it does not take.
        case usage
        /// There is no store at `path` (nothing there, or a file where a store folder should be).
        case noStore(path: String)
        /// Another process held the store's lock longer than the lock timeout; `holder` is what it
        /// noted in the lock file (e.g. "pid 4242"), when anything.
        case busy(holder: String?)
        /// The store at `path` is read-only for this user, and the command writes to it.
        case readOnly(path: String)
        /// `name` names no `subject`: an unknown revision, branch, tag, model, remote, sample...
        case notFound(Subject, name: String)
        /// `name` is already taken by a `subject`.
        case exists(Subject, name: String)
        /// The store is not in a state the command can start from: HEAD detached, no commits yet,
        /// nothing to patch, push or merge, no shared history.
        case invalidState
        /// Another process moved `ref` while this one was changing it.
        case concurrentUpdate(ref: String)
        /// The disk is full, or a file would grow past the file-size limit or a quota.
        case diskFull
        /// A file or folder (not the store's git data) at `path` cannot be read, written or
        /// created: an export target, a clone folder, a media root, a resolution file.
        case fileSystem(path: String)
        /// A remote failed or refused a transfer.
        case remote(RemoteFailure)
        /// Data in the store is damaged or was not written by Trail (a record, summary,
        /// configuration or erasure record that does not read back).
        case damagedStore
        /// Trail refused to do something that would lose or misstate data: erasing content other
        /// samples share, an export that would mix up files, a resolution that leaves conflicts.
        case refused
        /// The media store (an S3 bucket) failed a request; the message names the server, bucket and key.
        case objectStore(ObjectStoreFailure)
        /// A git operation (libgit2 or Trail's own object code) failed.
        case git
        /// The lineage index (sqlite) failed.
        case index
        /// Anything else; the message says what.
        case failed
    }

    /// What a `.notFound` or `.exists` error names.
    public enum Subject: String, Equatable, Sendable {
        /// A revision: a branch, tag or model name, a commit id, `HEAD~N`.
        case revision
        /// A branch (`refs/heads/`).
        case branch
        /// A tag (`refs/tags/`).
        case tag
        /// A registered model (`refs/models/`).
        case model
        /// A configured remote.
        case remote
        /// A remote's branch, as fetched (`origin/main`).
        case remoteBranch
        /// A sample id (one or more, as the message lists them).
        case sample
        /// An annotator id in the indexed history.
        case annotator
        /// A store, at the path given as the name.
        case store
        /// A model's stored predictions (`refs/predictions/`), named by the model.
        case predictions
    }

    /// How a remote failed a transfer.
    public enum RemoteFailure: Equatable, Sendable {
        /// It asked for credentials, or refused the ones given.
        case authentication
        /// It refused the update (not a fast-forward, or refused by a hook).
        case rejected
        /// The server answered HTTP 403 Forbidden: this user or this push is not allowed.
        case forbidden
        /// It could not be reached, or the transfer failed on the way.
        case unreachable
        /// Its content ref moved during a push (another push); the push is retried.
        case contentMovedDuringPush
        /// What it sent failed the incoming check; nothing here changed.
        case refusedIncoming
        /// Its erasure records would remove content of samples they do not name (see
        /// `--accept-erasures`); nothing here changed.
        case unacceptedErasures
    }

    /// How the media store failed a request.
    public enum ObjectStoreFailure: Equatable, Sendable {
        /// It could not be reached (after the retries).
        case unreachable
        /// It refused the credentials or their permissions (HTTP 403).
        case forbidden
        /// The bucket does not exist.
        case noSuchBucket
        /// A media object the records name is not in the bucket.
        case missingObject
        /// No credentials were found (environment or ~/.aws/credentials).
        case noCredentials
        /// Any other failure the server answered with.
        case failed
    }

    /// What sort of failure this is.
    public let kind: Kind
    /// What went wrong, in one sentence.
    public let message: String
    /// What to do about it.
    public let hint: String?
    /// The individual problems behind `message`, one sentence each (a refused fetch lists them).
    public let details: [String]

    /// An error of `kind` saying `message`, with a `hint` on what to do and the `details` behind it.
    public init(_ kind: Kind, _ message: String, hint: String? = nil, details: [String] = []) {
        self.kind = kind
        self.message = message
        self.hint = hint
        self.details = details
    }

    /// The message.
    public var description: String { message }

    /// True for a `.busy` error: another process held the store's lock too long.
    public var isBusy: Bool {
        if case .busy = kind { return true }
        return false
    }
}

extension TrailError {
    /// `error` in the core's terms, when a lower layer threw it: a `GitError` or a `SQLiteError`
    /// becomes the `TrailError` the user sees (kind `.git`, `.index` or `.diskFull`, the
    /// library's words in the message, a hint on what to do); nil for any other error, which
    /// stays as it is.
    ///
    /// The core translates at its boundary (opening a store, the lock scopes every writer runs
    /// in); a caller that catches an error from elsewhere in the core passes it through here.
    public init?(translating error: any Error) {
        switch error {
        case let error as GitError:
            self.init(error.isDiskFull ? .diskFull : .git, "git: \(error.description)",
                      hint: "run `git --git-dir <store> fsck` to check the store")
        case let error as SQLiteError:
            // Only the index, which is derived from the git objects, is written through sqlite.
            self.init(error.isDiskFull ? .diskFull : .index, "lineage index: \(error.description)",
                      hint: error.isDiskFull ? "free some disk space (or raise the file-size limit) and run the command again; the store is unchanged"
                                             : "the index is derived from git; `trail reindex` rebuilds it")
        default:
            return nil
        }
    }
}

/// Runs `body`, turning a lower layer's error into a `TrailError` (see `TrailError(translating:)`);
/// for the core's boundary, where errors leave it for its callers.
func translatingLowerErrors<T>(_ body: () throws -> T) throws -> T {
    do {
        return try body()
    } catch {
        throw TrailError(translating: error) ?? error
    }
}

/// Bad input in a manifest: names the file, the line and the field, and says how to fix it.
public struct InputError: Error, CustomStringConvertible, Equatable {
    /// The manifest, as the user named it.
    public let file: String
    /// 1-based line number, when the problem is on one line.
    public let line: Int?
    /// 1-based column (in bytes), when known.
    public let column: Int?
    /// The field (column name or JSON key) involved, when there is one.
    public let field: String?
    /// What is wrong there, in one sentence.
    public let message: String
    /// How to fix it.
    public let hint: String?

    /// A problem in `file`, at `line` and `column` when known, in `field` when there is one.
    public init(file: String, line: Int?, column: Int? = nil, field: String? = nil, message: String, hint: String? = nil) {
        self.file = file
        self.line = line
        self.column = column
        self.field = field
        self.message = message
        self.hint = hint
    }

    /// `file:line:column: field 'x': message`, the way compilers point at a problem.
    public var description: String {
        var where_ = file
        if let line { where_ += ":\(line)" }
        if let column { where_ += ":\(column)" }
        var text = "\(where_): "
        if let field { text += "field '\(field)': " }
        return text + message
    }
}
