#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The PEM certificate and key as NUL-terminated C strings for MHD_OPTION_HTTPS_MEM_CERT and
/// MHD_OPTION_HTTPS_MEM_KEY. MHD keeps the pointers, so they live until the daemon stops.
final class TLSMemory {
    let certificate: UnsafeMutableRawPointer
    let key: UnsafeMutableRawPointer

    init(_ files: TLSFiles) throws(HTTPServerError) {
        let certificate = try Self.read(files.certificatePath)
        let key: UnsafeMutableRawPointer
        do {
            key = try Self.read(files.privateKeyPath)
        } catch {
            free(certificate)
            throw error
        }
        self.certificate = certificate
        self.key = key
    }

    deinit {
        // Clear the private key before giving the memory back.
        memset(key, 0, strlen(key.assumingMemoryBound(to: CChar.self)))
        free(key)
        free(certificate)
    }

    /// Reads a whole file into a malloc'd, NUL-terminated buffer (at most 1 MiB).
    private static func read(_ path: String) throws(HTTPServerError) -> UnsafeMutableRawPointer {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw .tlsFileUnreadable(path: path, errno: errno) }
        defer { close(descriptor) }
        let capacity = 1 << 20
        guard let buffer = malloc(capacity + 1) else { throw .tlsFileUnreadable(path: path, errno: ENOMEM) }
        var length = 0
        while length < capacity {
            let count = Glibc.read(descriptor, buffer + length, capacity - length)
            if count < 0 {
                if errno == EINTR { continue }
                let code = errno
                free(buffer)
                throw .tlsFileUnreadable(path: path, errno: code)
            }
            if count == 0 { break }
            length += count
        }
        if length == capacity {
            free(buffer)
            throw .tlsFileUnreadable(path: path, errno: EFBIG)
        }
        buffer.storeBytes(of: 0, toByteOffset: length, as: UInt8.self)
        return buffer
    }
}
