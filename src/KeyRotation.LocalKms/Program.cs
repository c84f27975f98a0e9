using System.Globalization;
using KeyRotation.LocalKms;

// Standalone loopback KMS: dotnet run --project src/KeyRotation.LocalKms -- --port 4566 [--region r] [--account-id a]
var port = 4566;
var region = "us-east-1";
var accountId = "111122223333";
for (var i = 0; i < args.Length; i++)
{
    var value = i + 1 < args.Length ? args[i + 1] : null;
    switch (args[i])
    {
        case "--port" when int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var p) && p is > 0 and < 65536:
            port = p;
            i++;
            break;
        case "--region" when !string.IsNullOrWhiteSpace(value):
            region = value;
            i++;
            break;
        case "--account-id" when value is { Length: 12 } && value.All(char.IsAsciiDigit):
            accountId = value;
            i++;
            break;
        case "--help" or "-h":
            Console.WriteLine("Usage: KeyRotation.LocalKms [--port 4566] [--region us-east-1] [--account-id 111122223333]");
            return 0;
        default:
            await Console.Error.WriteLineAsync($"Invalid argument '{args[i]}'{(value is null ? string.Empty : $" '{value}'")}. Use --help.");
            return 2;
    }
}

var service = new LocalKmsService(new LocalKmsOptions { Region = region, AccountId = accountId });
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

await using (var server = LocalKmsServer.Start(service, port))
{
    Console.WriteLine($"LocalKms listening on {server.Url} (region {region}, account {accountId}). Ctrl+C to stop.");
    try
    {
        await Task.Delay(Timeout.Infinite, stop.Token);
    }
    catch (OperationCanceledException)
    {
        // Ctrl+C or SIGTERM: fall through to stop the server.
    }
}

Console.WriteLine("LocalKms stopped.");
return 0;
