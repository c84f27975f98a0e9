using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using KeyRotation.Core.Configuration;
using KeyRotation.Core.KeyMaterial;
using Spectre.Console;

namespace KeyRotation.Cli.Commands;

/// <summary>
/// <c>reimport KEY_ID --escrow-private-key FILE</c>: restores a key's imported material from its escrow copy (after the
/// material expired or was deleted). The escrow private key is read on this machine and never leaves it. In the sandbox,
/// the sandbox's escrow bucket and key pair are used.
/// </summary>
internal static class ReimportCommand
{
    public static Command Create(CliContextFactory factory)
    {
        var keyId = Arguments.Single("KEY_ID", "Key id or key ARN whose material to restore (not an alias: material goes to one key).");
        var privateKey = new Option<FileInfo>("--escrow-private-key")
        {
            Description = "PEM file with the escrow RSA private key (PKCS#8 or PKCS#1, unencrypted). Required, except in the sandbox (its own escrow key).",
            HelpName = "FILE",
        };
        var bucket = new Option<string?>("--escrow-bucket") { Description = "Escrow bucket (default: ESCROW_BUCKET)." };
        var prefix = new Option<string?>("--escrow-prefix") { Description = "Escrow object prefix (default: ESCROW_PREFIX, else none)." };
        var expiration = new Option<string?>("--expiration-days")
        {
            Description = "0: the material does not expire; 1 to 365: it expires that many days from now (default: KEY_MATERIAL_EXPIRATION_DAYS, else 0).",
        };
        var yes = Arguments.Yes();
        var command = new Command("reimport", "Re-import a key's material from its escrow copy in S3, unwrapped locally with the escrow private key.")
        {
            keyId, privateKey, bucket, prefix, expiration, yes,
        };
        command.SetAction(async (parsed, ct) =>
        {
            var context = factory.For(parsed);
            var key = parsed.GetValue(keyId)!;
            var days = ExpirationDays(context, parsed.GetValue(expiration));
            var keyFile = parsed.GetValue(privateKey);
            if (!context.IsSandbox && keyFile is null)
            {
                throw new UsageException("--escrow-private-key FILE is required: the PEM file of the escrow RSA private key.");
            }

            if (context.IsSandbox && (parsed.GetValue(bucket) is not null || parsed.GetValue(prefix) is not null))
            {
                throw new UsageException("The sandbox has its own escrow bucket: leave out --escrow-bucket and --escrow-prefix.");
            }

            var location = context.IsSandbox ? null : Location(context, parsed.GetValue(bucket), parsed.GetValue(prefix));
            var pem = keyFile is null ? null : await ReadPrivateKeyAsync(keyFile, ct);
            var (kms, sandbox) = await context.ConnectAsync(ct);
            IEscrowStore store;
            if (sandbox is not null)
            {
                location = sandbox.Escrow.Location;
                store = sandbox.Escrow.Store;
                pem ??= sandbox.Escrow.PrivateKeyPath is { } path
                    ? await ReadPrivateKeyAsync(new FileInfo(path), ct)
                    : throw new UsageException("This sandbox is not kept in a state file, so its escrow private key is gone: pass --sandbox-state FILE to keep one.");
            }
            else
            {
                store = context.CreateEscrowStore();
            }

            if (!await context.ConfirmAsync(parsed.GetValue(yes), $"Re-import the escrowed material of {key} from s3://{location!.Bucket}/{location.Prefix}?", ct))
            {
                context.Error("Cancelled; nothing was changed.");
                return ExitCodes.Failed;
            }

            EscrowRestoreResult result;
            try
            {
                var restore = sandbox is null
                    ? new EscrowRestore(kms, store, location!, context.Host.Time)
                    : new EscrowRestore(kms, store, location!, context.Host.Time) { WrappingKeySpec = Amazon.KeyManagementService.WrappingKeySpec.RSA_2048 };
                result = await context.WaitAsync($"Re-importing the material of {key}", () => restore.ReimportAsync(key, pem!, days, ct));
            }
            catch (EscrowRestoreException ex)
            {
                context.Error(ex.Message);
                return ExitCodes.Failed;
            }

            if (context.Json)
            {
                context.WriteJson(new JsonObject
                {
                    ["keyId"] = result.KeyId,
                    ["keyArn"] = result.KeyArn,
                    ["escrowObject"] = result.EscrowObjectUri,
                    ["keyState"] = result.KeyState,
                    ["expirationModel"] = result.ExpirationModel,
                    ["validTo"] = result.ValidTo?.ToString("O", CultureInfo.InvariantCulture),
                });
            }
            else
            {
                context.Console.WriteLine($"Re-imported the material of {result.KeyArn} from {result.EscrowObjectUri}.");
                context.Console.WriteLine($"Key state: {result.KeyState}; expiration: {result.ExpirationModel ?? "none"}{(result.ValidTo is { } validTo ? " (valid to " + validTo.ToString("O", CultureInfo.InvariantCulture) + ")" : string.Empty)}.");
            }

            return ExitCodes.Success;
        });
        return command;
    }

    private static EscrowLocation Location(CliContext context, string? bucketFlag, string? prefixFlag)
    {
        var bucket = bucketFlag ?? context.Environment.GetValueOrDefault(SettingNames.EscrowBucket);
        if (string.IsNullOrWhiteSpace(bucket))
        {
            throw new UsageException($"No escrow bucket: pass --escrow-bucket or set {SettingNames.EscrowBucket}.");
        }

        try
        {
            return new EscrowLocation(bucket.Trim(), (prefixFlag ?? context.Environment.GetValueOrDefault(SettingNames.EscrowPrefix) ?? string.Empty).Trim());
        }
        catch (ArgumentException ex)
        {
            throw new UsageException(ex.Message, ex);
        }
    }

    private static int ExpirationDays(CliContext context, string? flag)
    {
        var text = flag ?? context.Environment.GetValueOrDefault(SettingNames.KeyMaterialExpirationDays);
        if (string.IsNullOrWhiteSpace(text))
        {
            return 0;
        }

        return int.TryParse(text.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var days) && days <= 365
            ? days
            : throw new UsageException($"{(flag is not null ? "--expiration-days" : SettingNames.KeyMaterialExpirationDays)}: '{text}' is not a whole number from 0 to 365.");
    }

    private static async Task<string> ReadPrivateKeyAsync(FileInfo file, CancellationToken ct)
    {
        try
        {
            return await File.ReadAllTextAsync(file.FullName, ct);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new UsageException($"Cannot read the escrow private key file '{file.FullName}': {ex.Message}", ex);
        }
    }
}
