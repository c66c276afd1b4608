using System.CommandLine;
using EvalHarness.Cli;

var root = new RootCommand("EvalHarness: benchmark and evaluate visual explanations of image classifiers.");
foreach (var command in Commands.All()) root.Subcommands.Add(command);
return root.Parse(args).Invoke();
