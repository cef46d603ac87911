import FuzzSupport

// libFuzzer's driver as this executable's entry point (see FuzzSupport).
@_cdecl("FuzzRadius_main")
func fuzzerMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    runFuzzer(argc, argv) { data, size in fuzzOne(data, size) }
}
