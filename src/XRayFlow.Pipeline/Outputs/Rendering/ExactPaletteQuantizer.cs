using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Memory;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing.Processors.Quantization;

namespace XRayFlow.Pipeline.Outputs.Rendering;

/// <summary>
/// A quantizer with a fixed palette that maps every colour found in the palette to its own index exactly
/// (a dictionary lookup; other colours go to the nearest entry by squared RGB distance). ImageSharp 2.1's
/// PaletteQuantizer matches through a lossy 5-bit-per-channel cache, which folds the 256 grey levels into 32,
/// so the GIF writer uses this one, with one colour table per frame (the encoder's global-table mode
/// re-quantizes later frames with its own PaletteQuantizer).
/// </summary>
internal sealed class ExactPaletteQuantizer : IQuantizer
{
    private readonly Rgb24[] palette;

    public ExactPaletteQuantizer(Rgb24[] palette)
    {
        if (palette.Length is < 1 or > 256)
        {
            throw new ArgumentException("a GIF palette has 1..256 colours", nameof(palette));
        }

        this.palette = palette;
        Options = new QuantizerOptions { Dither = null, MaxColors = palette.Length };
    }

    public QuantizerOptions Options { get; }

    public IQuantizer<TPixel> CreatePixelSpecificQuantizer<TPixel>(Configuration configuration)
        where TPixel : unmanaged, IPixel<TPixel>
        => CreatePixelSpecificQuantizer<TPixel>(configuration, Options);

    public IQuantizer<TPixel> CreatePixelSpecificQuantizer<TPixel>(Configuration configuration, QuantizerOptions options)
        where TPixel : unmanaged, IPixel<TPixel>
        => new Frame<TPixel>(configuration, Options, palette);

    private struct Frame<TPixel> : IQuantizer<TPixel>
        where TPixel : unmanaged, IPixel<TPixel>
    {
        private readonly TPixel[] colours;
        private readonly Rgb24[] rgb;
        private readonly Dictionary<int, byte> index;

        public Frame(Configuration configuration, QuantizerOptions options, Rgb24[] palette)
        {
            Configuration = configuration;
            Options = options;
            rgb = palette;
            colours = new TPixel[palette.Length];
            index = new Dictionary<int, byte>(palette.Length);
            for (int i = 0; i < palette.Length; i++)
            {
                colours[i].FromRgb24(palette[i]);
                index.TryAdd(Key(palette[i].R, palette[i].G, palette[i].B), (byte)i);
            }
        }

        public Configuration Configuration { get; }

        public QuantizerOptions Options { get; }

        public readonly ReadOnlyMemory<TPixel> Palette => colours;

        public readonly void AddPaletteColors(Buffer2DRegion<TPixel> pixelRegion)
        {
            // the palette is fixed
        }

        public IndexedImageFrame<TPixel> QuantizeFrame(ImageFrame<TPixel> source, Rectangle bounds)
            => QuantizerUtilities.QuantizeFrame(ref this, source, bounds);

        public readonly byte GetQuantizedColor(TPixel color, out TPixel match)
        {
            Rgba32 c = default;
            color.ToRgba32(ref c);
            if (!index.TryGetValue(Key(c.R, c.G, c.B), out byte i))
            {
                int best = int.MaxValue;
                for (int k = 0; k < rgb.Length; k++)
                {
                    int dr = rgb[k].R - c.R, dg = rgb[k].G - c.G, db = rgb[k].B - c.B;
                    int d = (dr * dr) + (dg * dg) + (db * db);
                    if (d < best)
                    {
                        best = d;
                        i = (byte)k;
                    }
                }
            }

            match = colours[i];
            return i;
        }

        public readonly void Dispose()
        {
        }

        private static int Key(byte r, byte g, byte b) => (r << 16) | (g << 8) | b;
    }
}
