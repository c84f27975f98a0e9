using System.Runtime.InteropServices;
using System.Text;
using KeyRotation.Cli;
using Microsoft.Win32.SafeHandles;

using var cancel = new CancellationTokenSource();

// Ctrl+C through a signal registration, and stdout/stderr as plain streams over the file descriptors, not Console.Out
// or Console.CancelKeyPress: on Unix those initialize the terminal and switch it to keypad-transmit mode (ESC[?1h ESC=),
// which the runtime never switches back, so it lingers in the shell and in captured output after a prompt.
using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, context =>
{
    context.Cancel = true;
    cancel.Cancel();
});

var encoding = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false);
await using var stdout = OperatingSystem.IsWindows() ? Console.Out : new StreamWriter(new FileStream(new SafeFileHandle(1, ownsHandle: false), FileAccess.Write, 1), encoding) { AutoFlush = true };
await using var stderr = OperatingSystem.IsWindows() ? Console.Error : new StreamWriter(new FileStream(new SafeFileHandle(2, ownsHandle: false), FileAccess.Write, 1), encoding) { AutoFlush = true };
var exit = await CliApp.RunAsync(args, stdout, stderr, CliHost.ProcessEnvironment(), CliHost.FromConsole(), cancel.Token);
if (!OperatingSystem.IsWindows() && !Console.IsOutputRedirected)
{
    // Measuring the terminal for tables and prompts still initializes it; put the keypad back (keypad_local) before the shell
    // gets the terminal again. Harmless when it was never switched.
    await stdout.WriteAsync("\u001b[?1l\u001b>");
}

return exit;
