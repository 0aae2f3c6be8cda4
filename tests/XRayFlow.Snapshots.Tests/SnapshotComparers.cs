using System.Globalization;
using Newtonsoft.Json.Linq;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using Snapshooter;
using Snapshooter.Core;
using Snapshooter.Core.Serialization;
using XRayFlow.Core.Codecs;
using XRayFlow.Pipeline.Testing;

namespace XRayFlow.Snapshots.Tests;

/// <summary>Compares a received output file with its verified file; null when they match, else what differs.</summary>
public static class SnapshotComparers
{
    public static string? Compare(string verifiedPath, string receivedPath)
    {
        string ext = Path.GetExtension(receivedPath).ToLowerInvariant();
        return ext switch
        {
            ".npy" => Npy(verifiedPath, receivedPath),
            ".png" => Png(verifiedPath, receivedPath),
            ".gif" => Gif(verifiedPath, receivedPath),
            ".json" => Json(File.ReadAllText(verifiedPath), File.ReadAllText(receivedPath)),
            _ => File.ReadAllBytes(verifiedPath).AsSpan().SequenceEqual(File.ReadAllBytes(receivedPath)) ? null : "the bytes differ",
        };
    }

    /// <summary>Same shape; NaN at the same places; max |diff| &lt;= ArrayTolerance x max |verified|.</summary>
    public static string? Npy(string verifiedPath, string receivedPath)
    {
        var v = XRayFlow.Core.Codecs.Npy.NpyReader.Read(verifiedPath);
        var r = XRayFlow.Core.Codecs.Npy.NpyReader.Read(receivedPath);
        if (!v.Shape.SequenceEqual(r.Shape) || v.IsComplex != r.IsComplex)
        {
            return $"shape {r.ShapeText}{(r.IsComplex ? " complex" : string.Empty)}, verified {v.ShapeText}{(v.IsComplex ? " complex" : string.Empty)}";
        }

        string? why = RecipeSelfTest.CompareArrays("values", r.Data, v.Data, SnapshotTolerances.ArrayTolerance);
        if (why is null && v.Imag is { } vi && r.Imag is { } ri)
        {
            why = RecipeSelfTest.CompareArrays("imaginary part", ri, vi, SnapshotTolerances.ArrayTolerance);
        }

        return why is null ? null : $"{why} (ArrayTolerance {SnapshotTolerances.ArrayTolerance.ToString(CultureInfo.InvariantCulture)})";
    }

    public static string? Png(string verifiedPath, string receivedPath)
    {
        using var v = Image.Load<Rgba64>(Configuration.Default, verifiedPath);
        using var r = Image.Load<Rgba64>(Configuration.Default, receivedPath);
        return Frame(v.Frames.RootFrame, r.Frames.RootFrame, "png");
    }

    /// <summary>Frame count, loop count, each frame's delay and pixels.</summary>
    public static string? Gif(string verifiedPath, string receivedPath)
    {
        using var v = Image.Load<Rgba64>(Configuration.Default, verifiedPath);
        using var r = Image.Load<Rgba64>(Configuration.Default, receivedPath);
        if (v.Frames.Count != r.Frames.Count)
        {
            return $"{r.Frames.Count} frames, verified {v.Frames.Count}";
        }

        int vLoop = v.Metadata.GetGifMetadata().RepeatCount, rLoop = r.Metadata.GetGifMetadata().RepeatCount;
        if (vLoop != rLoop)
        {
            return $"repeat count {rLoop}, verified {vLoop}";
        }

        for (int i = 0; i < v.Frames.Count; i++)
        {
            int vd = v.Frames[i].Metadata.GetGifMetadata().FrameDelay, rd = r.Frames[i].Metadata.GetGifMetadata().FrameDelay;
            if (vd != rd)
            {
                return $"frame {i}: delay {rd * 10} ms, verified {vd * 10} ms";
            }

            if (Frame(v.Frames[i], r.Frames[i], $"frame {i}") is { } why)
            {
                return why;
            }
        }

        return null;
    }

    private static string? Frame(ImageFrame<Rgba64> v, ImageFrame<Rgba64> r, string what)
    {
        if (v.Width != r.Width || v.Height != r.Height)
        {
            return $"{what}: {r.Width} x {r.Height} pixels, verified {v.Width} x {v.Height}";
        }

        int limit = SnapshotTolerances.PixelChannelTolerance * 257; // 8-bit levels in 16-bit units
        long outliers = 0;
        int worst = 0, wx = 0, wy = 0;
        for (int y = 0; y < v.Height; y++)
        {
            for (int x = 0; x < v.Width; x++)
            {
                var a = v[x, y];
                var b = r[x, y];
                int d = Math.Max(Math.Max(Math.Abs(a.R - b.R), Math.Abs(a.G - b.G)), Math.Max(Math.Abs(a.B - b.B), Math.Abs(a.A - b.A)));
                if (d > limit)
                {
                    outliers++;
                    if (d > worst)
                    {
                        (worst, wx, wy) = (d, x, y);
                    }
                }
            }
        }

        long allowed = (long)Math.Floor(SnapshotTolerances.PixelOutlierFraction * v.Width * v.Height);
        return outliers <= allowed ? null
            : $"{what}: {outliers} of {v.Width * v.Height} pixels differ by more than {SnapshotTolerances.PixelChannelTolerance} level(s) (allowed {allowed}, PixelOutlierFraction {SnapshotTolerances.PixelOutlierFraction.ToString(CultureInfo.InvariantCulture)}); worst at x {wx}, y {wy}: {worst / 257.0:F1} levels";
    }

    /// <summary>JSON through Snapshooter.Xunit's comparer (the same normalisation and assertion as Snapshot.Match).</summary>
    public static string? Json(string verified, string received)
    {
        var serializer = new SnapshotSerializer(new GlobalSnapshotSettingsResolver());
        var comparer = new JsonSnapshotComparer(new ThrowingAssert(), serializer);
        try
        {
            comparer.CompareSnapshots(Normalize(verified), Normalize(received), new MatchOptions());
            return null;
        }
        catch (SnapshotMismatch e)
        {
            return e.Message;
        }
    }

    /// <summary>Snapshooter deserializes the text as JSON; it must be an object or an array, so a bare value is wrapped.</summary>
    private static string Normalize(string json) => JToken.Parse(json) is JContainer ? json : "{\"value\": " + json + "}";

    private sealed class SnapshotMismatch(string message) : Exception(message);

    private sealed class ThrowingAssert : IAssert
    {
        public void Assert(string expected, string actual)
        {
            if (expected == actual)
            {
                return;
            }

            var e = expected.Split('\n');
            var a = actual.Split('\n');
            int i = 0;
            while (i < e.Length && i < a.Length && e[i] == a[i])
            {
                i++;
            }

            throw new SnapshotMismatch($"JSON differs at line {i + 1}: received `{(i < a.Length ? a[i].Trim() : "(end)")}`, verified `{(i < e.Length ? e[i].Trim() : "(end)")}`");
        }
    }
}
