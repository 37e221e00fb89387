import ELBOCheck
