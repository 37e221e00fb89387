enum KernelCommand { static func run(_ args: [String]) -> Int32 { 0 } }
