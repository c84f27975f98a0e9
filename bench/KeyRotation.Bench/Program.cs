using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using KeyRotation.Bench;
using KeyRotation.Cli;
using KeyRotation.Core.Configuration;
using KeyRotation.Function;

// The throughput benchmark (docs/development.md: Benchmark). Real time, the real SDK clients over HTTP to LocalKms on 127.0.0.1.
var options = BenchOptions.Parse(args);
if (options is null)
{
    return 2;
}

// The function and the CLI read credentials and the Region the standard way; LocalKms accepts any.
Environment.SetEnvironmentVariable("AWS_ACCESS_KEY_ID", "bench");
Environment.SetEnvironmentVariable("AWS_SECRET_ACCESS_KEY", "bench");
Environment.SetEnvironmentVariable("AWS_REGION", "us-east-1");
Console.WriteLine($"Machine: {Environment.ProcessorCount} logical CPUs, {BenchOptions.CpuModel()}; .NET {Environment.Version}");

return options.Soak ? await SoakBench.RunAsync(options)
    : options.Continuation ? await ContinuationBench.RunAsync(options)
    : options.Retention ? await RetentionBench.RunAsync(options)
    : await RunThroughputAsync(options);

static async Task<int> RunThroughputAsync(BenchOptions options)
{
    await using var kms = new BenchKms(timeScale: 1);
    var handlerAliases = Enumerable.Range(0, options.Aliases).Select(i => $"alias/bench/handler/a{i:D5}").ToList();
    var cliAliases = Enumerable.Range(0, options.Aliases).Select(i => $"alias/bench/cli/a{i:D5}").ToList();
    await kms.SeedAsync([.. handlerAliases, .. cliAliases]);
    Console.WriteLine($"LocalKms on {kms.Url}: {options.Aliases} aliases per path seeded; quotas on (KMS's defaults), {options.LatencyMs} ms per call.");

    var environment = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        [SettingNames.NotificationTopicArn] = "arn:aws:sns:us-east-1:111122223333:bench",
        [SettingNames.MinKeyAgeHours] = "0",
        [SettingNames.FunctionTimeoutSeconds] = "900",
        ["AWS_ENDPOINT_URL_KMS"] = kms.Url.ToString(),
        ["AWS_ENDPOINT_URL_RESOURCE_GROUPS_TAGGING_API"] = kms.Url.ToString(),
        ["AWS_REGION"] = "us-east-1",
        ["AWS_ACCESS_KEY_ID"] = "bench",
        ["AWS_SECRET_ACCESS_KEY"] = "bench",
    };

    var failures = 0;
    foreach (var path in options.Paths)
    {
        kms.StartMeasuring(TimeSpan.FromMilliseconds(options.LatencyMs));
        var clock = Stopwatch.StartNew();
        var outcomes = path == "handler"
            ? await ThroughTheHandlerAsync(new Dictionary<string, string>(environment, StringComparer.Ordinal), "alias/bench/handler/*")
            : await ThroughTheCliAsync(environment, kms.Url, "alias/bench/cli/*");
        clock.Stop();
        failures += Report.Print(path, outcomes, clock.Elapsed, kms);
    }

    return failures == 0 ? 0 : 1;
}

// (a) The function's handler as Lambda runs it: clients, pacer and tagging client built from the environment.
static async Task<IReadOnlyList<string>> ThroughTheHandlerAsync(Dictionary<string, string> environment, string pattern)
{
    environment[SettingNames.RotationAliases] = pattern;
    var handler = new Handler(environment, null, new CountingNotifier(), TimeProvider.System, TextWriter.Null);
    using var input = new MemoryStream("{}"u8.ToArray());
    try
    {
        await using var output = await handler.HandleAsync(input);
        using var document = await JsonDocument.ParseAsync(output);
        return [.. document.RootElement.GetProperty("results").EnumerateArray().Select(r => r.GetProperty("outcome").GetString()!)];
    }
    catch (RotationFailedException ex)
    {
        Console.WriteLine($"handler: {ex.Message[..Math.Min(400, ex.Message.Length)]}");
        return ["Failed (the invocation errored)"];
    }
}

// (b) The CLI's rotate, as an operator runs it against an endpoint: its own settings, pacer and clients.
static async Task<IReadOnlyList<string>> ThroughTheCliAsync(Dictionary<string, string> environment, Uri endpoint, string pattern)
{
    var variables = new Dictionary<string, string>(environment, StringComparer.Ordinal) { [SettingNames.RotationAliases] = pattern };
    variables.Remove(SettingNames.NotificationTopicArn); // the CLI prints notifications instead of publishing them
    using var stdout = new StringWriter(new StringBuilder());
    var exit = await CliApp.RunAsync(
        ["rotate", "--yes", "--output", "json", "--endpoint-url", endpoint.ToString(), "--region", "us-east-1"],
        stdout,
        Console.Error,
        variables,
        new CliHost(),
        CancellationToken.None);
    using var document = JsonDocument.Parse(stdout.ToString());
    var outcomes = document.RootElement.GetProperty("results").EnumerateArray().Select(r => r.GetProperty("outcome").GetString()!).ToList();
    return exit == 0 ? outcomes : [.. outcomes, $"Failed (exit code {exit.ToString(CultureInfo.InvariantCulture)})"];
}
