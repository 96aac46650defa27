import CGit2
import Foundation
import GitFormat

/// A user name and password (or token) for a remote that asks for one.
public struct Credentials: Sendable {
    /// The user name sent to the remote.
    public var username: String
    /// The password or access token sent with `username`.
    public var password: String

    /// Credentials for `username` with `password` (or a token).
    public init(username: String, password: String) {
        self.username = username
        self.password = password
    }
}

/// Supplies credentials for `url` (`username` when the URL names one); nil to give up. Called
/// again after a rejected attempt, with `attempt` counting from 1.
public typealias CredentialProvider = (_ url: String, _ username: String?, _ attempt: Int) -> Credentials?

/// How far a transfer has come.
public struct TransferProgress: Sendable {
    /// Objects received so far.
    public var receivedObjects: Int
    /// Objects the remote will send in all.
    public var totalObjects: Int
    /// Bytes received so far.
    public var receivedBytes: Int
}

/// One reference a push would update, as the push negotiation reports it.
public struct PushUpdate: Sendable {
    /// The local reference being pushed, e.g. `refs/heads/main`.
    public var source: String
    /// The reference on the remote it updates.
    public var destination: String
    /// What the remote holds now (nil: the reference does not exist there yet).
    public var remoteOld: ObjectID?
    /// The object the remote reference will point at after the push.
    public var new: ObjectID
}

/// What the C callbacks of one transfer share with Swift, passed to libgit2 as the payload.
private final class TransferContext {
    let credentials: CredentialProvider?
    let progress: ((TransferProgress) -> Void)?
    let negotiate: (([PushUpdate]) -> String?)?
    var attempts = 0
    var gaveUp = false
    var rejected: [(ref: String, message: String)] = []
    var negotiationError: String?

    init(credentials: CredentialProvider?, progress: ((TransferProgress) -> Void)?, negotiate: (([PushUpdate]) -> String?)? = nil) {
        self.credentials = credentials
        self.progress = progress
        self.negotiate = negotiate
    }

    static func from(_ payload: UnsafeMutableRawPointer?) -> TransferContext {
        Unmanaged<TransferContext>.fromOpaque(payload!).takeUnretainedValue()
    }
}

private let credentialsCallback: git_credential_acquire_cb = { out, url, usernameFromURL, allowed, payload in
    let context = TransferContext.from(payload)
    context.attempts += 1
    // ssh: the keys ssh-agent holds, once (a rejected key is not offered again).
    if allowed & GIT_CREDENTIAL_SSH_KEY.rawValue != 0 {
        guard context.attempts == 1 else { context.gaveUp = true; return GIT_EUSER.rawValue }
        let user = usernameFromURL.map { String(cString: $0) } ?? "git"
        return git_credential_ssh_key_from_agent(out, user)
    }
    guard allowed & GIT_CREDENTIAL_USERPASS_PLAINTEXT.rawValue != 0, let provider = context.credentials,
          let given = provider(url.map { String(cString: $0) } ?? "", usernameFromURL.map { String(cString: $0) }, context.attempts) else {
        context.gaveUp = true
        return GIT_EUSER.rawValue
    }
    return git_credential_userpass_plaintext_new(out, given.username, given.password)
}

private let transferCallback: git_indexer_progress_cb = { stats, payload in
    guard let stats else { return 0 }
    TransferContext.from(payload).progress?(TransferProgress(receivedObjects: Int(stats.pointee.received_objects),
                                                             totalObjects: Int(stats.pointee.total_objects),
                                                             receivedBytes: Int(stats.pointee.received_bytes)))
    return 0
}

private let pushTransferCallback: git_push_transfer_progress_cb = { current, total, bytes, payload in
    TransferContext.from(payload).progress?(TransferProgress(receivedObjects: Int(current), totalObjects: Int(total), receivedBytes: bytes))
    return 0
}

private let pushReferenceCallback: git_push_update_reference_cb = { ref, status, payload in
    if let status, let ref { TransferContext.from(payload).rejected.append((String(cString: ref), String(cString: status))) }
    return 0
}

private let pushNegotiationCallback: git_push_negotiation = { updates, count, payload in
    let context = TransferContext.from(payload)
    guard let negotiate = context.negotiate, let updates else { return 0 }
    var list: [PushUpdate] = []
    for i in 0..<count {
        guard let u = updates[i]?.pointee else { continue }
        let old = ObjectID(u.src)
        list.append(PushUpdate(source: String(cString: u.src_refname), destination: String(cString: u.dst_refname),
                               remoteOld: old == .zero ? nil : old, new: ObjectID(u.dst)))
    }
    if let message = negotiate(list) {
        context.negotiationError = message
        return GIT_EUSER.rawValue
    }
    return 0
}

extension Repository {
    /// True when `commit` has `ancestor` in its history (a fast-forward from `ancestor`).
    public func isDescendant(_ commit: ObjectID, of ancestor: ObjectID) throws -> Bool {
        var a = commit.gitOID, b = ancestor.gitOID
        return try check(git_graph_descendant_of(handle, &a, &b), "compare \(commit.abbreviated()) with \(ancestor.abbreviated())") == 1
    }

    /// The best common ancestor of two commits, or nil when they share no history.
    public func mergeBase(_ a: ObjectID, _ b: ObjectID) throws -> ObjectID? {
        var out = git_oid(), x = a.gitOID, y = b.gitOID
        let rc = git_merge_base(&out, handle, &x, &y)
        if rc == GIT_ENOTFOUND.rawValue { git_error_clear(); return nil }
        try check(rc, "find the merge base of \(a.abbreviated()) and \(b.abbreviated())")
        return ObjectID(out)
    }

    /// A configured remote: its name and URL.
    public struct RemoteInfo: Sendable, Equatable {
        /// The remote's name, e.g. `origin`.
        public let name: String
        /// The URL it fetches from and pushes to, as configured.
        public let url: String
    }

    /// The configured remotes, by name.
    public func remotes() throws -> [RemoteInfo] {
        var names = git_strarray()
        try check(git_remote_list(&names, handle), "list remotes")
        defer { git_strarray_dispose(&names) }
        var result: [RemoteInfo] = []
        for i in 0..<names.count {
            guard let name = names.strings[i].map({ String(cString: $0) }) else { continue }
            var remote: OpaquePointer?
            guard git_remote_lookup(&remote, handle, name) == 0 else { git_error_clear(); continue }
            defer { git_remote_free(remote) }
            result.append(RemoteInfo(name: name, url: git_remote_url(remote).map { String(cString: $0) } ?? ""))
        }
        return result.sorted { $0.name < $1.name }
    }

    /// Adds remote `name` at `url` (with git's default fetch refspec, so `git fetch` works too).
    public func addRemote(_ name: String, url: String) throws {
        var remote: OpaquePointer?
        try check(git_remote_create(&remote, handle, name, url), "add remote \(name)")
        git_remote_free(remote)
    }

    /// Removes remote `name` and its remote-tracking references.
    public func removeRemote(_ name: String) throws {
        try check(git_remote_delete(handle, name), "remove remote \(name)")
    }

    /// Where a push to `remote` (a configured remote's name, else a URL or path) goes: its
    /// `pushurl` when it has one, else its `url`, as libgit2 chooses; and whether it is a
    /// configured remote.
    private func pushURL(of remote: String) throws -> (url: String, named: Bool) {
        var named: OpaquePointer?
        guard git_remote_lookup(&named, handle, remote) == 0, let named else {
            git_error_clear()
            return (remote, false)
        }
        defer { git_remote_free(named) }
        return ((git_remote_pushurl(named) ?? git_remote_url(named)).map { String(cString: $0) } ?? remote, true)
    }

    /// Opens `remote`: a configured remote's name, else a URL or path.
    private func openRemote(_ remote: String) throws -> OpaquePointer {
        var out: OpaquePointer?
        if git_remote_lookup(&out, handle, remote) == 0, let out { return out }
        git_error_clear()
        try check(git_remote_create_anonymous(&out, handle, remote), "open remote \(remote)")
        return out!
    }

    /// Opens `remote` (a configured remote's name, else a URL or path) as an anonymous remote:
    /// one without the configured fetch refspecs, which libgit2 would otherwise also apply
    /// ("opportunistic" updates of `refs/remotes/NAME/*`), moving refs the caller did not name.
    private func openAnonymousRemote(_ remote: String) throws -> OpaquePointer {
        var url = remote
        var named: OpaquePointer?
        if git_remote_lookup(&named, handle, remote) == 0, let named {
            url = git_remote_url(named).map { String(cString: $0) } ?? remote
            git_remote_free(named)
        } else {
            git_error_clear()
        }
        var out: OpaquePointer?
        try check(git_remote_create_anonymous(&out, handle, url), "open remote \(remote)")
        return out!
    }

    /// Fetches `refspecs` from `remote` (a name, URL or path) into this repository, updating only
    /// the references those refspecs name; returns the objects received.
    @discardableResult
    public func fetch(from remote: String, refspecs: [String], credentials: CredentialProvider? = nil,
                      progress: ((TransferProgress) -> Void)? = nil) throws -> TransferProgress {
        let handle = try openAnonymousRemote(remote)
        defer { git_remote_free(handle) }
        let context = TransferContext(credentials: credentials, progress: progress)
        var options = git_fetch_options()
        try check(git_fetch_options_init(&options, UInt32(GIT_FETCH_OPTIONS_VERSION)), "fetch options")
        options.callbacks.credentials = credentialsCallback
        options.callbacks.transfer_progress = transferCallback
        options.callbacks.payload = Unmanaged.passUnretained(context).toOpaque()
        options.download_tags = GIT_REMOTE_DOWNLOAD_TAGS_NONE
        options.update_fetchhead = 0
        try withStringArray(refspecs) { specs in
            let rc = git_remote_fetch(handle, &specs, &options, "trail fetch")
            try checkTransfer(rc, "fetch from \(remote)", context: context)
        }
        let stats = git_remote_stats(handle)!.pointee
        return TransferProgress(receivedObjects: Int(stats.received_objects), totalObjects: Int(stats.total_objects),
                                receivedBytes: Int(stats.received_bytes))
    }

    /// Pushes `refspecs` to `remote`. `negotiate` sees the updates before anything is sent and
    /// may refuse them (returning why). Throws when the remote rejects any reference.
    /// `progress` counts the objects sent (in `receivedObjects`, as for a fetch).
    public func push(to remote: String, refspecs: [String], credentials: CredentialProvider? = nil,
                     progress: ((TransferProgress) -> Void)? = nil, negotiate: (([PushUpdate]) -> String?)? = nil) throws {
        // git://, HTTP(S) and paths get Trail's own pack, whose memory does not grow with the
        // number of objects; other URLs (ssh) go through libgit2.
        let (url, named) = try pushURL(of: remote)
        if let transport = try pushTransport(for: url, credentials: credentials) {
            try push(through: transport, url: url, remoteName: named ? remote : nil, refspecs: refspecs, progress: progress, negotiate: negotiate)
            return
        }
        let handle = try openRemote(remote)
        defer { git_remote_free(handle) }
        let context = TransferContext(credentials: credentials, progress: progress, negotiate: negotiate)
        var options = git_push_options()
        try check(git_push_options_init(&options, UInt32(GIT_PUSH_OPTIONS_VERSION)), "push options")
        // Build the pack (delta search, compression) on every core, not libgit2's default one.
        options.pb_parallelism = 0
        options.callbacks.credentials = credentialsCallback
        options.callbacks.push_update_reference = pushReferenceCallback
        options.callbacks.push_transfer_progress = pushTransferCallback
        options.callbacks.push_negotiation = pushNegotiationCallback
        options.callbacks.payload = Unmanaged.passUnretained(context).toOpaque()
        try withStringArray(refspecs) { specs in
            let rc = git_remote_push(handle, &specs, &options)
            try checkTransfer(rc, "push to \(remote)", context: context)
        }
        if !context.rejected.isEmpty {
            throw GitError(code: .nonFastForward, operation: "push to \(remote)",
                           message: context.rejected.map { "\($0.ref): \($0.message)" }.joined(separator: "; "))
        }
    }

    private func checkTransfer(_ rc: Int32, _ operation: String, context: TransferContext) throws {
        guard rc < 0 else { return }
        if let message = context.negotiationError {
            git_error_clear()
            throw GitError(code: .callbackRefused, operation: operation, message: message)
        }
        if context.gaveUp || context.attempts > 0 && rc == GIT_EAUTH.rawValue {
            git_error_clear()
            throw GitError(code: .auth, operation: operation,
                           message: context.attempts > 1 ? "authentication failed (the credentials were rejected)" : "authentication required")
        }
        do {
            try check(rc, operation)
        } catch let error as GitError {
            // libgit2 names a server's unexpected HTTP answer only in its message.
            guard let status = Self.httpStatus(in: error.message) else { throw error }
            throw GitError(code: error.code, operation: error.operation, message: error.message, httpStatus: status)
        }
    }

    /// The status in libgit2's "unexpected http status code: 403", if the message is one.
    private static func httpStatus(in message: String) -> Int? {
        guard let range = message.range(of: "status code: ") else { return nil }
        return Int(message[range.upperBound...].prefix { $0.isNumber })
    }
}

/// Runs `body` with `strings` as a `git_strarray` (C strings freed afterwards).
private func withStringArray<T>(_ strings: [String], _ body: (inout git_strarray) throws -> T) rethrows -> T {
    var pointers: [UnsafeMutablePointer<CChar>?] = strings.map { strdup($0) }
    defer { for p in pointers { free(p) } }
    return try pointers.withUnsafeMutableBufferPointer { buffer in
        var array = git_strarray(strings: buffer.baseAddress, count: buffer.count)
        return try body(&array)
    }
}
