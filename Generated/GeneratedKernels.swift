// Generated kernels live here; see `elbo generate`.
import ELBORuntime
