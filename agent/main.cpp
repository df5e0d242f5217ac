int main() { return 4; }  // replaced by the agent helper
