import Foundation

/// An error reported by libgit2 or by Trail's own object code (pack writer, pack index and
/// tree readers).
///
/// Match a kind of failure by its code, as GRDB matches SQLite's result codes:
/// `catch GitError.Code.notFound { … }` or `catch let error as GitError where error.isDiskFull`.
public struct GitError: Error, CustomStringConvertible, Equatable {
    /// A libgit2 return code (`git_error_code`, stable across libgit2 versions).
    public struct Code: RawRepresentable, Hashable, Sendable {
        /// The libgit2 error code (`GIT_E*`), negative; Trail's own failures use `generic`.
        public let rawValue: Int32
        /// Wraps a raw libgit2 error code.
        public init(rawValue: Int32) { self.rawValue = rawValue }

        /// A generic failure; also every failure of Trail's own object code.
        public static let generic = Code(rawValue: -1)
        /// The object, reference or path does not exist (`GIT_ENOTFOUND`).
        public static let notFound = Code(rawValue: -3)
        /// The object or reference already exists (`GIT_EEXISTS`).
        public static let exists = Code(rawValue: -4)
        /// A callback Trail gave libgit2 refused to go on (`GIT_EUSER`), e.g. a push's negotiation.
        public static let callbackRefused = Code(rawValue: -7)
        /// The reference could not be fast-forwarded (`GIT_ENONFASTFORWARD`).
        public static let nonFastForward = Code(rawValue: -11)
        /// A name or refspec is malformed (`GIT_EINVALIDSPEC`).
        public static let invalidSpec = Code(rawValue: -12)
        /// A lock file is held by someone else (`GIT_ELOCKED`).
        public static let locked = Code(rawValue: -14)
        /// A reference's value is not the one expected (`GIT_EMODIFIED`).
        public static let modified = Code(rawValue: -15)
        /// The server refused the credentials (`GIT_EAUTH`).
        public static let auth = Code(rawValue: -16)
        /// The server's certificate is invalid (`GIT_ECERTIFICATE`).
        public static let certificate = Code(rawValue: -17)
    }

    /// What failed, as a libgit2 code (`.generic` for Trail's own failures).
    public let code: Code
    /// What Trail was doing when the call failed, e.g. "read object 1a2b…".
    public let operation: String
    /// libgit2's message (or Trail's), as the library gave it.
    public let message: String
    /// The `errno` of the failed system call, when Trail's own file code failed.
    public let systemError: Int32?
    /// The HTTP status a server answered a transfer with, when that is why it failed (403: the
    /// server refused this user or this push).
    public let httpStatus: Int?

    /// Makes an error; `systemError` and `httpStatus` say more when they are known.
    public init(code: Code = .generic, operation: String, message: String, systemError: Int32? = nil, httpStatus: Int? = nil) {
        self.code = code
        self.operation = operation
        self.message = message
        self.systemError = systemError
        self.httpStatus = httpStatus
    }

    /// The failure of the system call just made: `errno` and its text.
    public static func system(_ operation: String, errno code: Int32 = errno) -> GitError {
        GitError(operation: operation, message: String(cString: strerror(code)), systemError: code)
    }

    /// A reference moved under us (compare-and-swap failed), its lock is held, or it was
    /// created meanwhile.
    public var isConcurrentUpdate: Bool { [.modified, .locked, .exists].contains(code) }

    /// The disk is full, or a file would grow past the file-size limit (`ulimit -f`) or a quota.
    /// libgit2 reports only the message of the system error, so that is what is matched there.
    public var isDiskFull: Bool {
        let full: [Int32] = [ENOSPC, EFBIG, EDQUOT]
        if let systemError { return full.contains(systemError) }
        return full.contains { message.contains(String(cString: strerror($0))) }
    }

    /// `operation: message`, as printed to the user.
    public var description: String { "\(operation): \(message)" }
}

extension GitError.Code {
    /// Matches an error that is a `GitError` with this code: `catch GitError.Code.notFound`.
    public static func ~= (code: GitError.Code, error: any Error) -> Bool {
        (error as? GitError)?.code == code
    }
}
