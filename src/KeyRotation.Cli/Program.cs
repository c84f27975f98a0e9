using KeyRotation.Cli;

using var cancel = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    cancel.Cancel();
};

return await CliApp.RunAsync(args, Console.Out, Console.Error, CliHost.ProcessEnvironment(), CliHost.FromConsole(), cancel.Token);
