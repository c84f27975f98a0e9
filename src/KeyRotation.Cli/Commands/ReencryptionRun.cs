using System.Text.Json.Nodes;
using KeyRotation.Cli.Errors;
using KeyRotation.Core.Reencryption;

namespace KeyRotation.Cli.Commands;

/// <summary>
/// One <c>reencrypt</c> run over its inputs, in order, one ReEncrypt each. Without --output-dir the new ciphertexts go
/// to stdout as they come, one base64 line per input line (an empty line for an input that failed, so line N of the
/// output always answers line N of the input); with it, each is written to its file atomically and stdout gets the
/// result table. Each failure is one line on stderr naming the input; the others still run; then a summary on stderr.
/// </summary>
internal sealed class ReencryptionRun
{
    private readonly CliContext _cli;
    private readonly CiphertextReencryptor _reencryptor;
    private readonly ReencryptionTarget _target;
    private readonly ReencryptionInputs _inputs;
    private readonly ReencryptionContexts _contexts;
    private readonly bool _overwrite;
    private readonly bool _dryRun;
    private readonly List<(CiphertextInput Input, ReencryptionResult Result, string? Written)> _results = [];

    public ReencryptionRun(CliContext cli, CiphertextReencryptor reencryptor, ReencryptionTarget target, ReencryptionInputs inputs, ReencryptionContexts contexts, bool overwrite, bool dryRun)
    {
        _cli = cli;
        _reencryptor = reencryptor;
        _target = target;
        _inputs = inputs;
        _contexts = contexts;
        _overwrite = overwrite;
        _dryRun = dryRun;
    }

    /// <summary>Ciphertext lines go to stdout as they come: not in a dry run, not with --output-dir, not as JSON.</summary>
    private bool StreamsCiphertexts => !_dryRun && _inputs.OutputDirectory is null && !_cli.Json;

    public async Task<int> RunAsync(CancellationToken ct)
    {
        var what = _inputs.FromStdin ? "ciphertexts from standard input" : "ciphertext files";
        if (StreamsCiphertexts)
        {
            await ProcessAllAsync(ct);
        }
        else
        {
            await _cli.WaitAsync($"Re-encrypting {what} under {_target.CurrentKey.KeyId}", () => ProcessAllAsync(ct));
        }

        if (_cli.Json)
        {
            _cli.WriteJson(ToJson());
        }
        else if (!StreamsCiphertexts)
        {
            WriteTable();
        }

        if (!_cli.Json)
        {
            _cli.Error(Summary());
        }

        return _results.Any(r => r.Result.Outcome == ReencryptionOutcome.Failed) ? ExitCodes.Failed : ExitCodes.Success;
    }

    private async Task ProcessAllAsync(CancellationToken ct)
    {
        await foreach (var input in _inputs.ReadAsync(_cli.Host.Stdin, ct))
        {
            if (input.Blank)
            {
                if (StreamsCiphertexts)
                {
                    _cli.Stdout.WriteLine();
                }

                continue;
            }

            var result = input.Ciphertext is { } ciphertext
                ? await _reencryptor.ReencryptAsync(ciphertext, _contexts, _dryRun, ct)
                : new ReencryptionResult(ReencryptionOutcome.Failed, input.Problem!);
            var written = default(string);
            if (result.Ciphertext is { } output && input.OutputPath is { } path && !_dryRun)
            {
                (result, written) = await WriteAsync(input, result, output, path, ct);
            }

            if (result.Outcome == ReencryptionOutcome.Failed)
            {
                _cli.Error($"{CommandNames.Path(_cli.Parsed)}: {input.Name}: {result.Reason}");
            }

            if (StreamsCiphertexts)
            {
                _cli.Stdout.WriteLine(result.Ciphertext is { } bytes ? Convert.ToBase64String(bytes) : string.Empty);
            }

            _results.Add((input, result, written));
        }
    }

    /// <summary>The new ciphertext to its file; a skipped one too (so the directory holds every input), unless that file is the input itself.</summary>
    private async Task<(ReencryptionResult Result, string? Written)> WriteAsync(CiphertextInput input, ReencryptionResult result, byte[] ciphertext, string path, CancellationToken ct)
    {
        if (result.Outcome == ReencryptionOutcome.Skipped && Path.GetFullPath(input.Path!) == path)
        {
            return (result, null);
        }

        var problem = await CiphertextFiles.WriteAsync(path, ciphertext, _inputs.Format, _overwrite, ct);
        return problem is null
            ? (result, DisplayPath(path))
            : (new ReencryptionResult(ReencryptionOutcome.Failed, $"{problem} KMS's new ciphertext was discarded; the input is unchanged.") { SourceKeyArn = result.SourceKeyArn }, null);
    }

    /// <summary>Output paths as the operator gave the directory: relative to the working directory when inside it.</summary>
    private static string DisplayPath(string path)
    {
        var relative = Path.GetRelativePath(Environment.CurrentDirectory, path);
        return relative.StartsWith("..", StringComparison.Ordinal) ? path : relative;
    }

    private void WriteTable()
    {
        var toFiles = _inputs.OutputDirectory is not null;
        List<TabularColumn> columns = [new("Input"), new("Outcome"), new("From key")];
        if (toFiles)
        {
            columns.Add(new("Output"));
        }

        columns.Add(new("Reason", Wraps: true));
        var rows = _results.Select(r =>
        {
            List<TabularCell> row =
            [
                r.Input.Name,
                new TabularCell(r.Result.Outcome.ToString(), Colour(r.Result.Outcome)),
                r.Result.SourceKeyArn is { } source ? ReencryptionTarget.KeyIdOf(source) : "-",
            ];
            if (toFiles)
            {
                row.Add(r.Written ?? "-");
            }

            row.Add(r.Result.Reason);
            return (IReadOnlyList<TabularCell>)row;
        }).ToList();
        Tabular.Write(_cli, columns, rows);
    }

    private static string Colour(ReencryptionOutcome outcome) => outcome switch
    {
        ReencryptionOutcome.ReEncrypted => "green",
        ReencryptionOutcome.Failed => "red",
        ReencryptionOutcome.Planned => "blue",
        _ => "yellow",
    };

    private int Count(ReencryptionOutcome outcome) => _results.Count(r => r.Result.Outcome == outcome);

    /// <summary>"alias/app-data -> KEY: 3 re-encrypted, 1 skipped, 1 failed." (a dry run: planned and failed).</summary>
    private string Summary()
    {
        var counts = _dryRun
            ? $"{Count(ReencryptionOutcome.Planned)} planned, {Count(ReencryptionOutcome.Failed)} failed; dry run, nothing was written"
            : $"{Count(ReencryptionOutcome.ReEncrypted)} re-encrypted, {Count(ReencryptionOutcome.Skipped)} skipped (already current), {Count(ReencryptionOutcome.Failed)} failed";
        return $"Re-encryption to {_target.Alias} ({_target.CurrentKey.KeyId}): {counts}.";
    }

    private JsonObject ToJson() => new()
    {
        ["alias"] = _target.Alias,
        ["destinationKeyId"] = _target.CurrentKey.Arn,
        ["dryRun"] = _dryRun,
        ["results"] = new JsonArray([.. _results.Select(r => (JsonNode)new JsonObject
        {
            ["input"] = r.Input.Name,
            ["outcome"] = r.Result.Outcome.ToString(),
            ["sourceKeyId"] = r.Result.SourceKeyArn,
            ["outputFile"] = r.Written,
            ["ciphertext"] = _inputs.OutputDirectory is null && r.Result.Ciphertext is { } bytes ? Convert.ToBase64String(bytes) : null,
            ["reason"] = r.Result.Reason,
        })]),
        ["summary"] = new JsonObject
        {
            ["reEncrypted"] = Count(ReencryptionOutcome.ReEncrypted),
            ["skipped"] = Count(ReencryptionOutcome.Skipped),
            ["planned"] = Count(ReencryptionOutcome.Planned),
            ["failed"] = Count(ReencryptionOutcome.Failed),
        },
    };
}
