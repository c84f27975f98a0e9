using System.ComponentModel;
using System.Diagnostics;
using System.Text.RegularExpressions;

namespace KeyRotation.LocalKms.Tests;

/// <summary>
/// The standalone server (the built KeyRotation.LocalKms program, as <c>dotnet run</c> starts it) driven by boto3 and
/// the AWS CLI, as a user drives it: Clients/key_policies.py checks PutKeyPolicy, GetKeyPolicy and ListKeyPolicies,
/// Clients/key_last_usage.py GetKeyLastUsage, Clients/re_encrypt.py ReEncrypt, answer exactly what the KMS API reference documents. Needs python3 with boto3 and the aws command on the PATH;
/// without them the test fails and says so.
/// </summary>
public sealed partial class StandaloneClientTests
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(1);
    private static readonly TimeSpan ScriptTimeout = TimeSpan.FromMinutes(5);

    [Fact]
    public async Task KeyPolicies_Boto3AndAwsCli_GetTheDocumentedAnswers()
    {
        using var server = StartServer();
        try
        {
            var url = await ListeningUrlAsync(server);

            var (exit, output) = await RunScriptAsync("key_policies.py", url);

            Assert.True(exit == 0, $"key_policies.py exited {exit}:\n{output}");
            Assert.Matches(SummaryLine(), output);
        }
        finally
        {
            server.Kill(entireProcessTree: true);
            await server.WaitForExitAsync();
        }
    }

    [Fact]
    public async Task KeyLastUsage_Boto3AndAwsCli_GetTheDocumentedAnswers()
    {
        using var server = StartServer();
        using var lateTracking = StartServer("--tracking-start-date", "2099-01-01");
        try
        {
            var url = await ListeningUrlAsync(server);
            var lateUrl = await ListeningUrlAsync(lateTracking);

            var (exit, output) = await RunScriptAsync("key_last_usage.py", url, lateUrl);

            Assert.True(exit == 0, $"key_last_usage.py exited {exit}:\n{output}");
            Assert.Matches(SummaryLine(), output);
        }
        finally
        {
            server.Kill(entireProcessTree: true);
            lateTracking.Kill(entireProcessTree: true);
            await server.WaitForExitAsync();
            await lateTracking.WaitForExitAsync();
        }
    }

    [Fact]
    public async Task ReEncrypt_Boto3AndAwsCli_GetTheDocumentedAnswers()
    {
        using var server = StartServer();
        try
        {
            var url = await ListeningUrlAsync(server);

            var (exit, output) = await RunScriptAsync("re_encrypt.py", url);

            Assert.True(exit == 0, $"re_encrypt.py exited {exit}:\n{output}");
            Assert.Matches(SummaryLine(), output);
        }
        finally
        {
            server.Kill(entireProcessTree: true);
            await server.WaitForExitAsync();
        }
    }

    private static Process StartServer(params string[] arguments)
    {
        var dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet";
        var start = new ProcessStartInfo(dotnet)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "KeyRotation.LocalKms.dll"));
        start.ArgumentList.Add("--port");
        start.ArgumentList.Add("0");
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        return Process.Start(start) ?? throw new InvalidOperationException($"{dotnet} did not start the LocalKms server");
    }

    /// <summary>The URL the server prints in its first line ("LocalKms listening on http://127.0.0.1:PORT/ ...").</summary>
    private static async Task<string> ListeningUrlAsync(Process server)
    {
        using var timeout = new CancellationTokenSource(StartTimeout);
        var line = await server.StandardOutput.ReadLineAsync(timeout.Token)
            ?? throw new InvalidOperationException("The LocalKms server exited before it listened: " + await server.StandardError.ReadToEndAsync(timeout.Token));
        return ListeningUrl().Match(line) is { Success: true } match
            ? match.Value
            : throw new InvalidOperationException("The LocalKms server did not say where it listens: " + line);
    }

    private static async Task<(int Exit, string Output)> RunScriptAsync(string script, params string[] urls)
    {
        var start = new ProcessStartInfo("python3")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Clients", script));
        foreach (var url in urls)
        {
            start.ArgumentList.Add(url);
        }

        // Only the endpoint and these dummy credentials: no profile, config file or endpoint variable of the machine.
        foreach (var name in new[] { "AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_KMS", "AWS_SESSION_TOKEN", "AWS_REGION", "AWS_DEFAULT_REGION" })
        {
            start.Environment.Remove(name);
        }

        var noFile = Path.Combine(Path.GetTempPath(), "localkms-no-aws-config-" + Guid.NewGuid().ToString("N"));
        start.Environment["AWS_CONFIG_FILE"] = noFile;
        start.Environment["AWS_SHARED_CREDENTIALS_FILE"] = noFile;
        start.Environment["AWS_ACCESS_KEY_ID"] = "test";
        start.Environment["AWS_SECRET_ACCESS_KEY"] = "test";
        start.Environment["AWS_PAGER"] = string.Empty;

        Process process;
        try
        {
            process = Process.Start(start) ?? throw new InvalidOperationException("python3 did not start");
        }
        catch (Win32Exception ex)
        {
            throw new InvalidOperationException("This test runs boto3 and the AWS CLI and needs python3 on the PATH: " + ex.Message, ex);
        }

        using (process)
        {
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            using var timeout = new CancellationTokenSource(ScriptTimeout);
            try
            {
                await process.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                throw new InvalidOperationException($"{script} did not finish within {ScriptTimeout.TotalMinutes} minutes");
            }

            return (process.ExitCode, await stdout + await stderr);
        }
    }

    [GeneratedRegex(@"http://127\.0\.0\.1:\d+/")]
    private static partial Regex ListeningUrl();

    [GeneratedRegex(@"(?m)^[1-9]\d* passed, 0 failed$")]
    private static partial Regex SummaryLine();
}
