import AICore
