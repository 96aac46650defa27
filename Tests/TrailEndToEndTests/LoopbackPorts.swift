import Foundation

/// Free TCP ports on 127.0.0.1 for the servers the tests start (git daemon, lighttpd, SeaweedFS).
enum LoopbackPorts {
    /// `count` distinct ports below `limit` that nothing listens on: the kernel's picks, every
    /// socket held until all are chosen (so no port is picked twice), then released.
    static func free(_ count: Int, below limit: Int = 65536) throws -> [Int] {
        var fds: [Int32] = []
        defer { fds.forEach { close($0) } }
        var ports: [Int] = []
        while ports.count < count {
            #if canImport(Glibc)
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            #else
            let fd = socket(AF_INET, SOCK_STREAM, 0)
            #endif
            guard fd >= 0 else { throw MissingPrerequisite("no TCP socket for a loopback port (\(String(cString: strerror(errno))))", fix: "run the tests where 127.0.0.1 is available", installable: false) }
            fds.append(fd)
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            var length = socklen_t(MemoryLayout<sockaddr_in>.size)
            let bound = withUnsafeMutablePointer(to: &address) { pointer in
                pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
            }
            guard bound else { throw MissingPrerequisite("cannot bind a port on 127.0.0.1 (\(String(cString: strerror(errno))))", fix: "run the tests where 127.0.0.1 is available", installable: false) }
            let port = Int(UInt16(bigEndian: address.sin_port))
            if port < limit { ports.append(port) }
        }
        return ports
    }
}
