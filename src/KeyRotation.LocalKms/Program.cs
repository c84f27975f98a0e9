using KeyRotation.LocalKms;

// Standalone loopback KMS: dotnet run --project src/KeyRotation.LocalKms -- [--port 4599] [--data FILE] [--quotas default] ...
using var stop = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    stop.Cancel();
};
using var sigterm = System.Runtime.InteropServices.PosixSignalRegistration.Create(
    System.Runtime.InteropServices.PosixSignal.SIGTERM,
    ctx =>
    {
        ctx.Cancel = true;
        stop.Cancel();
    });

return await LocalKmsHost.RunAsync(args, Console.Out, Console.Error, stop.Token);
