print("placeholder")
func workerPlaceholder() -> Int { 1 }
