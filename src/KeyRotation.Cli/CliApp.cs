using System.CommandLine;
using Amazon.Runtime;
using KeyRotation.Cli.Commands;
using KeyRotation.Cli.Errors;
using KeyRotation.Core;
using KeyRotation.Core.Configuration;

namespace KeyRotation.Cli;

/// <summary>
/// The keyrotation command line: parses, runs one command, maps failures to exit codes
/// (0 done, 1 something failed, 2 bad usage, configuration or input). Every error goes to stderr in one line (a parse
/// error adds the command's usage line; a parse error and bad usage, configuration or input name the command first).
/// Everything it touches is passed in, so tests run it in process.
/// </summary>
internal static class CliApp
{
    public static async Task<int> RunAsync(
        string[] args,
        TextWriter stdout,
        TextWriter stderr,
        IReadOnlyDictionary<string, string> environment,
        CliHost host,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(stdout);
        ArgumentNullException.ThrowIfNull(stderr);
        var globals = new GlobalOptions();
        var root = new RootCommand("Rotates AWS KMS customer-managed keys by creating a new key and moving the alias to it; shows each alias's generations and rolls back.");
        globals.AddTo(root);

        var factory = new CliContextFactory(globals, stdout, stderr, environment, host);
        Command Register(Func<CliContextFactory, Command> create) => create(factory);

        // One line per command; a new command is a new file under Commands/ plus its line here.
        root.Add(Register(PlanCommand.Create));
        root.Add(Register(RotateCommand.Create));
        root.Add(Register(StatusCommand.Create));
        root.Add(Register(RollbackCommand.Create));
        root.Add(Register(ReimportCommand.Create));
        root.Add(Register(UnlockCommand.Create));
        root.Add(Register(RetentionCommand.Create));
        root.Add(Register(ReportCommand.Create));
        root.Add(Register(ReencryptCommand.Create));
        root.Add(Register(ConsumersCommand.Create));
        root.Add(Register(MigrateCommand.Create));

        var parsed = root.Parse(args);
        var problems = ParseErrors.Of(parsed);
        if (problems.Count > 0)
        {
            await ParseErrors.WriteAsync(parsed, problems, stderr);
            return ExitCodes.Usage;
        }

        try
        {
            try
            {
                return await parsed.InvokeAsync(new InvocationConfiguration { Output = stdout, Error = stderr, EnableDefaultExceptionHandler = false }, cancellationToken);
            }
            finally
            {
                await factory.CloseSandboxesAsync();
            }
        }
        catch (Exception ex) when (ex is UsageException or ConfigurationException)
        {
            // Named here, once, as parse errors name it: the commands and the configuration only say what is wrong.
            await stderr.WriteLineAsync($"{CommandNames.Path(parsed)}: {ex.Message}");
            return ExitCodes.Usage;
        }
        catch (Exception ex) when (ex is RotationException or AmazonServiceException or AmazonClientException or HttpRequestException)
        {
            await stderr.WriteLineAsync(ex is AmazonServiceException service ? $"{service.ErrorCode ?? service.GetType().Name}: {service.Message}" : ex.Message);
            return ExitCodes.Failed;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            await stderr.WriteLineAsync("Cancelled. A rotation interrupted part-way is finished by the next run (see 'keyrotation status').");
            return ExitCodes.Failed;
        }
    }
}
