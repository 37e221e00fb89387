import ELBOAlgebra
import ELBOSpec
