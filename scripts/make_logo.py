"""Make assets/logos/logo.png, the cover mark: the centre's initials on the house blue, drawn with the
shipped font so it is the same on every machine. Run once; commit the PNG."""

from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

ROOT = Path(__file__).resolve().parents[1]
BLUE, TEAL = (18, 67, 109), (40, 161, 151)


def main() -> None:
    scale = 4
    size = (240 * scale, 120 * scale)
    image = Image.new("RGB", size, "white")
    draw = ImageDraw.Draw(image)
    draw.rounded_rectangle((0, 0, size[0] - 1, size[1] - 1), radius=14 * scale, fill=BLUE)
    draw.rectangle((0, size[1] - 14 * scale, size[0], size[1]), fill=TEAL)
    font = ImageFont.truetype(str(ROOT / "assets/fonts/LiberationSans-Bold.ttf"), 64 * scale)
    box = draw.textbbox((0, 0), "TSRC", font=font)
    x = (size[0] - (box[2] - box[0])) / 2 - box[0]
    y = (size[1] - 14 * scale - (box[3] - box[1])) / 2 - box[1]
    draw.text((x, y), "TSRC", font=font, fill="white")
    image = image.resize((size[0] // 2, size[1] // 2), Image.LANCZOS)
    out = ROOT / "assets/logos/logo.png"
    image.save(out, optimize=True)
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
