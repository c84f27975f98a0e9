using System.CommandLine;
using System.CommandLine.Parsing;
using Amazon.KeyManagementService;
using KeyRotation.Cli.Errors;
using KeyRotation.Core.Reencryption;

namespace KeyRotation.Cli.Commands;

/// <summary>
/// <c>reencrypt ALIAS [FILE...]</c>: re-encrypts stored ciphertexts (encrypted data keys, small secrets) under the
/// alias's current key with KMS ReEncrypt, so the plaintext never leaves KMS; from files or standard input, to
/// --output-dir or stdout. Reads keys and aliases only; changes no key, alias or tag.
/// </summary>
internal static class ReencryptCommand
{
    public static Command Create(CliContextFactory factory)
    {
        var alias = Arguments.Single("ALIAS", "The alias whose current key the ciphertexts move to (for example alias/app-data).");
        var files = new Argument<string[]>("FILE")
        {
            Description = "Files holding one ciphertext each (raw bytes unless --input-format base64); none or - reads standard input, one base64 ciphertext per line.",
            Arity = ArgumentArity.ZeroOrMore,
            HelpName = "FILE",
            CustomParser = FilesUpToTheFirstOption,
        };
        var inputFormat = new Option<string?>("--input-format")
        {
            Description = "How each input holds its ciphertext: raw bytes (the default for files) or base64 text (the default, and the only format, for standard input).",
            HelpName = "raw|base64",
        };
        inputFormat.AcceptOnlyFromAmong("raw", "base64");
        var outputDir = new Option<string?>("--output-dir")
        {
            Description = "Write each new ciphertext to a file of the same name in this directory, in its input's format (default: stdout, base64, one line per input).",
            HelpName = "DIR",
        };
        var overwrite = new Option<bool>("--overwrite") { Description = "With --output-dir: replace existing files (an input too, for re-encryption in place), each atomically." };
        var context = EncryptionContextOption.Create("--encryption-context", "The encryption context the ciphertexts were encrypted with; the new ones get the same (Key=Value,... or JSON, or file://PATH).");
        var destinationContext = EncryptionContextOption.Create("--destination-encryption-context", "Bind the new ciphertexts to this encryption context instead ('{}' for none).");
        var dryRun = new Option<bool>("--dry-run") { Description = "Ask KMS whether each ReEncrypt would succeed (DryRun: your permissions and the ciphertext); nothing is written." };
        var sourceKeyId = ReencryptionKeyOptions.SourceKeyId();
        var algorithm = ReencryptionKeyOptions.EncryptionAlgorithm();
        var command = new Command("reencrypt", "Re-encrypt stored ciphertexts under the alias's current key with KMS ReEncrypt (the plaintext never leaves KMS), refusing ciphertexts of other aliases' keys.")
        {
            alias, files, inputFormat, outputDir, overwrite, context, destinationContext, dryRun, sourceKeyId, algorithm,
        };
        command.SetAction(async (parsed, ct) =>
        {
            var cli = factory.For(parsed);
            var name = Arguments.ValidAliases([parsed.GetValue(alias)!])[0];
            var source = EncryptionContextOption.Parse(parsed.GetValue(context), "--encryption-context") ?? new Dictionary<string, string>();
            var destination = EncryptionContextOption.Parse(parsed.GetValue(destinationContext), "--destination-encryption-context") ?? source;
            var inputs = ReencryptionInputs.Plan(parsed.GetValue(files) ?? [], parsed.GetValue(inputFormat), parsed.GetValue(outputDir), parsed.GetValue(overwrite), cli.Host.StdinIsTerminal);

            var (kms, _) = await cli.ConnectAsync(ct);
            var snapshot = await UnknownAliases.RefuseAsync(cli, kms, [name], ct);
            var target = await cli.WaitAsync($"Reading {name}'s generations", () => ReencryptionTarget.ReadAsync(kms, name, snapshot, ct));
            var contextGiven = source.Count > 0 || destination.Count > 0;
            var keys = await ReencryptionKeyOptions.ResolveAsync(target, parsed.GetValue(sourceKeyId), parsed.GetValue(algorithm), contextGiven, ct);
            if (NotEnabled(cli, target) is { } refused)
            {
                return refused;
            }

            // Paced as consumers and migrate pace their calls (ConsumerRequestRates' kms:ReEncrypt), on the real clock.
            using var pacer = cli.ConsumerPacer();
            var run = new ReencryptionRun(cli, new CiphertextReencryptor(kms, target, pacer, keys), target, inputs, new ReencryptionContexts(source, destination), parsed.GetValue(overwrite), parsed.GetValue(dryRun));
            return await run.RunAsync(ct);
        });
        return command;
    }

    /// <summary>
    /// A current key that is not Enabled cannot take ciphertexts: a failed operation (exit 1), reported before any
    /// ciphertext is read. Null when the key can be re-encrypted to. (Its kind was checked with the key options.)
    /// </summary>
    private static int? NotEnabled(CliContext cli, ReencryptionTarget target)
    {
        var key = target.CurrentKey;
        if (key.KeyState != KeyState.Enabled)
        {
            cli.Error($"{CommandNames.Path(cli.Parsed)}: {target.Alias}'s current key {key.KeyId} is {key.KeyState?.Value ?? "not enabled"}: KMS re-encrypts only to an enabled key. Nothing was read or written.");
            return ExitCodes.Failed;
        }

        return null;
    }

    /// <summary>
    /// A variadic argument otherwise swallows unknown options ('--ovewrite' would become a file name): it stops at the
    /// first token that looks like an option, except '-' (standard input), so System.CommandLine reports it with suggestions.
    /// </summary>
    private static string[] FilesUpToTheFirstOption(ArgumentResult result)
    {
        var values = result.Tokens.TakeWhile(t => t.Value == "-" || !t.Value.StartsWith('-')).Select(t => t.Value).ToArray();
        if (values.Length < result.Tokens.Count)
        {
            result.OnlyTake(values.Length);
        }

        return values;
    }
}
