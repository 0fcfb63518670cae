using BenchmarkDotNet.Running;

// Run all:     dotnet run -c Release --project bench/Correlation.Messaging.Benchmarks -- --filter '*'
// Quick look:  dotnet run -c Release --project bench/Correlation.Messaging.Benchmarks -- --filter '*Core*' --job short
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
