using System.Runtime.InteropServices;
using KeyRotation.Cli;

using var cancel = new CancellationTokenSource();
using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, context =>
{
    context.Cancel = true;
    cancel.Cancel();
});

var exit = await CliApp.RunAsync(args, Console.Out, Console.Error, CliHost.ProcessEnvironment(), CliHost.FromConsole(), cancel.Token);
if (!OperatingSystem.IsWindows() && !Console.IsOutputRedirected)
{
    // On a terminal, .NET switches it to keypad-transmit mode (ESC[?1h ESC=) the first time the console is measured or
    // written, and never switches it back: after a prompt the shell's arrow keys would misbehave. Put the keypad back
    // (keypad_local) before the shell gets the terminal again; harmless when it was never switched.
    await Console.Out.WriteAsync("\u001b[?1l\u001b>");
    await Console.Out.FlushAsync();
}

return exit;
