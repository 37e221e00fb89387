print("elbo")
