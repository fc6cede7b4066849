// Media: storing, content addressing, variants, serving names and signed uploads, on every
// storage config.
#include "modules/media/service.hpp"

#include <gtest/gtest.h>
#include <sodium.h>

#include <vips/vips8>

#include <filesystem>
#include <memory>

#include "infra/db/migrator.hpp"
#include "migrations/media.hpp"
#include "modules/media/imaging.hpp"
#include "support/test_databases.hpp"

namespace fff::media {
namespace {

namespace fs = std::filesystem;

// A real image made by libvips: a colour gradient of the given size in the given format.
std::string make_image(int width, int height, const char* suffix) {
  vips::VImage x = vips::VImage::xyz(width, height);
  vips::VImage image =
      vips::VImage::bandjoin({x[0] % 256, x[1] % 256, (x[0] + x[1]) % 256}).cast(VIPS_FORMAT_UCHAR);
  void* buffer = nullptr;
  size_t size = 0;
  image.write_to_buffer(suffix, &buffer, &size);
  std::string out(static_cast<const char*>(buffer), size);
  g_free(buffer);
  return out;
}

std::string sha256_hex(const std::string& bytes) {
  unsigned char digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(digest, reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size());
  char hex[65];
  sodium_bin2hex(hex, sizeof hex, digest, sizeof digest);
  return hex;
}

template <typename T>
std::string describe(const Result<T>& r) {
  return r.ok() ? "ok" : r.error().code + ": " + r.error().message;
}

// A clock the test moves by hand.
class TestClock : public Clock {
 public:
  Timestamp now() const override { return now_; }
  Timestamp now_ = Timestamp(std::chrono::seconds(1'800'000'000));
};

class MediaServiceTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    start_imaging(2);
    scratch_ = std::make_unique<fff::testing::ScratchDatabase>(GetParam());
    auto opened = db::Database::open(scratch_->url(), {});
    ASSERT_TRUE(opened.ok()) << describe(opened);
    db_ = std::move(opened).value();
    ASSERT_TRUE(db::migrate(*db_, db::media_migrations()).ok());
    root_ = fs::temp_directory_path() /
            ("fff-media-test-" + std::to_string(::getpid()) + "-" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(root_);
    service_ = std::make_unique<MediaService>(*db_, clock_, root_, "test signing secret");
  }
  void TearDown() override {
    service_.reset();
    fs::remove_all(root_);
  }

  std::vector<fs::path> files_under_root() {
    std::vector<fs::path> out;
    if (!fs::exists(root_)) return out;
    for (const auto& e : fs::recursive_directory_iterator(root_))
      if (e.is_regular_file()) out.push_back(e.path());
    return out;
  }

  TestClock clock_;
  std::unique_ptr<fff::testing::ScratchDatabase> scratch_;
  std::unique_ptr<db::Database> db_;
  fs::path root_;
  std::unique_ptr<MediaService> service_;
};
INSTANTIATE_TEST_SUITE_P(, MediaServiceTest, ::testing::ValuesIn(fff::testing::storage_configs()),
                         [](const auto& p) { return p.param; });

TEST_P(MediaServiceTest, StoresAJpegUnderTheHashOfItsBytesWithWebpVariants) {
  std::string jpeg = make_image(1000, 600, ".jpg");
  auto asset = service_->store(jpeg, "image/jpeg");
  ASSERT_TRUE(asset.ok()) << describe(asset);
  EXPECT_EQ(asset->key, sha256_hex(jpeg));
  EXPECT_EQ(asset->content_type, "image/jpeg");
  EXPECT_EQ(asset->width, 1000);
  EXPECT_EQ(asset->height, 600);
  EXPECT_EQ(asset->bytes, static_cast<int64_t>(jpeg.size()));
  EXPECT_EQ(asset->variant_widths, (std::vector<int>{320, 640, 960, 1000}));
  fs::path dir = root_ / asset->key.substr(0, 2);
  EXPECT_TRUE(fs::exists(dir / (asset->key + ".jpg")));
  for (int w : asset->variant_widths) {
    fs::path variant = dir / (asset->key + ".w" + std::to_string(w) + ".webp");
    ASSERT_TRUE(fs::exists(variant)) << variant;
    vips::VImage v = vips::VImage::new_from_file(variant.c_str());
    EXPECT_EQ(v.width(), w);
    EXPECT_EQ(v.height(), w * 600 / 1000);
  }
}

TEST_P(MediaServiceTest, StoringTheSameBytesTwiceGivesTheSameAsset) {
  std::string png = make_image(400, 300, ".png");
  auto first = service_->store(png, "image/png");
  ASSERT_TRUE(first.ok()) << describe(first);
  clock_.now_ += std::chrono::hours(1);
  auto second = service_->store(png, "image/png");
  ASSERT_TRUE(second.ok()) << describe(second);
  EXPECT_EQ(first->key, second->key);
  EXPECT_EQ(first->created_at, second->created_at);  // not processed again
  auto rows = db_->query("SELECT count(*) FROM media_assets");
  ASSERT_TRUE(rows.ok());
  EXPECT_EQ(rows->rows[0].int64(0), 1);
}

TEST_P(MediaServiceTest, LeavesNoTemporaryFiles) {
  ASSERT_TRUE(service_->store(make_image(700, 700, ".webp"), "image/webp").ok());
  for (const auto& f : files_under_root())
    EXPECT_EQ(f.filename().string().find(".tmp-"), std::string::npos) << f;
  EXPECT_EQ(files_under_root().size(), 4u);  // original + 320, 640, 700
}

TEST_P(MediaServiceTest, ASmallImageAnswersEveryWidthWithItsOwn) {
  auto asset = service_->store(make_image(200, 100, ".png"));
  ASSERT_TRUE(asset.ok()) << describe(asset);
  EXPECT_EQ(asset->variant_widths, std::vector<int>{200});
  for (const char* name : {"w320.webp", "w640.webp", "w1280.webp", "w200.webp"}) {
    auto file = service_->file(asset->key, name);
    ASSERT_TRUE(file.ok()) << name << ": " << describe(file);
    EXPECT_EQ(file->path.filename().string(), asset->key + ".w200.webp");
    EXPECT_EQ(file->content_type, "image/webp");
  }
}

TEST_P(MediaServiceTest, AWidthBetweenRenditionsGetsTheNarrowerOne) {
  auto asset = service_->store(make_image(1000, 500, ".jpg"));
  ASSERT_TRUE(asset.ok()) << describe(asset);
  auto file = service_->file(asset->key, "w1280.webp");
  ASSERT_TRUE(file.ok());
  EXPECT_EQ(file->path.filename().string(), asset->key + ".w1000.webp");
  EXPECT_EQ(file->etag, "\"" + asset->key + "-w1000\"");
  auto original = service_->file(asset->key, "original.jpg");
  ASSERT_TRUE(original.ok());
  EXPECT_EQ(original->content_type, "image/jpeg");
  EXPECT_EQ(original->path.filename().string(), asset->key + ".jpg");
}

TEST_P(MediaServiceTest, OnlyKnownFileNamesAreServed) {
  auto asset = service_->store(make_image(500, 500, ".png"));
  ASSERT_TRUE(asset.ok()) << describe(asset);
  for (const char* name :
       {"w100.webp", "w0640.webp", "w640.png", "w.webp", "w-640.webp", "original.jpg", "original",
        "../../etc/passwd", "w640.webp/..", "", "w99999999999999999999.webp"}) {
    auto file = service_->file(asset->key, name);
    ASSERT_FALSE(file.ok()) << name;
    EXPECT_EQ(file.error().code, "media_not_found") << name;
  }
  for (const std::string& key : {std::string("../etc"), std::string(64, 'z'),
                                 asset->key.substr(0, 63), std::string(64, 'a')}) {
    auto file = service_->file(key, "w320.webp");
    ASSERT_FALSE(file.ok()) << key;
    EXPECT_EQ(file.error().code, "media_not_found");
  }
}

TEST_P(MediaServiceTest, RefusesBytesThatAreNotTheDeclaredFormat) {
  auto r = service_->store(make_image(50, 50, ".png"), "image/jpeg");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, ErrorKind::unsupported);
  EXPECT_EQ(r.error().code, "media_type_mismatch");
  EXPECT_TRUE(files_under_root().empty());
}

TEST_P(MediaServiceTest, AcceptsUndeclaredOrOctetStreamUploadsByTheirBytes) {
  EXPECT_TRUE(service_->store(make_image(60, 40, ".jpg"), "").ok());
  EXPECT_TRUE(service_->store(make_image(61, 40, ".jpg"), "application/octet-stream").ok());
}

TEST_P(MediaServiceTest, RefusesATruncatedImageWithoutStoringIt) {
  std::string jpeg = make_image(800, 800, ".jpg");
  auto r = service_->store(jpeg.substr(0, jpeg.size() / 2), "image/jpeg");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "image_unreadable") << r.error().message;
  EXPECT_TRUE(files_under_root().empty());
}

TEST_P(MediaServiceTest, RefusesABombWithoutDecodingIt) {
  // A valid PNG header declaring 50000×50000, followed by nothing.
  std::string png = make_image(10, 10, ".png");
  png[16] = 0, png[17] = 0, png[18] = '\xC3', png[19] = '\x50';  // width 50000
  png[20] = 0, png[21] = 0, png[22] = '\xC3', png[23] = '\x50';  // height 50000
  auto r = service_->store(png, "image/png");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "image_too_large");
}

TEST_P(MediaServiceTest, RefusesFilesOverTheByteLimit) {
  std::string big(kMaxUploadBytes + 1, '\0');
  auto r = service_->store(big, "image/png");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, ErrorKind::too_large);
}

TEST_P(MediaServiceTest, ASignedUploadStoresTheImage) {
  std::string webp = make_image(300, 300, ".webp");
  auto ticket = service_->create_upload("image/webp", static_cast<int64_t>(webp.size()));
  ASSERT_TRUE(ticket.ok()) << describe(ticket);
  EXPECT_EQ(ticket->url.rfind("/api/v1/media/uploads?content_type=image%2Fwebp&bytes=", 0), 0u)
      << ticket->url;
  std::string signature = ticket->url.substr(ticket->url.find("signature=") + 10);
  auto asset = service_->accept_upload(ticket->grant, signature, "image/webp", webp);
  ASSERT_TRUE(asset.ok()) << describe(asset);
  EXPECT_EQ(asset->key, sha256_hex(webp));
}

TEST_P(MediaServiceTest, ASignedUploadHoldsToItsTermsAndExpires) {
  std::string png = make_image(64, 64, ".png");
  auto ticket = service_->create_upload("image/png", static_cast<int64_t>(png.size()));
  ASSERT_TRUE(ticket.ok());
  std::string signature = ticket->url.substr(ticket->url.find("signature=") + 10);

  auto wrong_type = service_->accept_upload(ticket->grant, signature, "image/jpeg", png);
  ASSERT_FALSE(wrong_type.ok());
  EXPECT_EQ(wrong_type.error().code, "upload_type_mismatch");

  auto wrong_size = service_->accept_upload(ticket->grant, signature, "image/png", png + "x");
  ASSERT_FALSE(wrong_size.ok());
  EXPECT_EQ(wrong_size.error().code, "upload_size_mismatch");

  UploadGrant bigger = ticket->grant;
  bigger.bytes += 1;
  auto tampered = service_->accept_upload(bigger, signature, "image/png", png + "x");
  ASSERT_FALSE(tampered.ok());
  EXPECT_EQ(tampered.error().code, "upload_signature_invalid");

  clock_.now_ += std::chrono::seconds(MediaService::kUploadLifetimeSeconds);
  auto expired = service_->accept_upload(ticket->grant, signature, "image/png", png);
  ASSERT_FALSE(expired.ok());
  EXPECT_EQ(expired.error().code, "upload_expired");
  EXPECT_TRUE(files_under_root().empty());
}

TEST_P(MediaServiceTest, UploadUrlsAreOnlyForAcceptedTypesAndSizes) {
  for (const auto& [type, bytes] :
       {std::pair{"image/gif", int64_t{10}}, std::pair{"image/png", int64_t{0}},
        std::pair{"image/png", static_cast<int64_t>(kMaxUploadBytes) + 1}}) {
    auto t = service_->create_upload(type, bytes);
    ASSERT_FALSE(t.ok()) << type << " " << bytes;
    EXPECT_EQ(t.error().code, "invalid_upload");
    EXPECT_EQ(t.error().fields.size(), 1u);
  }
}

// Shop photos arrive in every pixel format a camera or editor writes; all come out as 8-bit
// sRGB WebP.
TEST_P(MediaServiceTest, StoresGreyscaleSixteenBitTransparentAndCmykImages) {
  vips::VImage x = vips::VImage::xyz(400, 300)[0];
  vips::VImage grey =
      (x % 256)
          .cast(VIPS_FORMAT_UCHAR)
          .copy(vips::VImage::option()->set("interpretation", VIPS_INTERPRETATION_B_W));
  vips::VImage rgb16 =
      vips::VImage::bandjoin({x * 100, x * 50, x * 10})
          .cast(VIPS_FORMAT_USHORT)
          .copy(vips::VImage::option()->set("interpretation", VIPS_INTERPRETATION_RGB16));
  vips::VImage rgba =
      vips::VImage::bandjoin({x % 256, x % 256, x % 256, x % 256})
          .cast(VIPS_FORMAT_UCHAR)
          .copy(vips::VImage::option()->set("interpretation", VIPS_INTERPRETATION_sRGB));
  vips::VImage cmyk =
      vips::VImage::bandjoin({x % 256, x % 128, x % 64, x % 32})
          .cast(VIPS_FORMAT_UCHAR)
          .copy(vips::VImage::option()->set("interpretation", VIPS_INTERPRETATION_CMYK));
  struct Case {
    const char* name;
    vips::VImage image;
    const char* suffix;
    int bands;
  };
  for (const auto& c : {Case{"grey png", grey, ".png", 3}, Case{"16-bit png", rgb16, ".png", 3},
                        Case{"rgba png", rgba, ".png", 4}, Case{"cmyk jpeg", cmyk, ".jpg", 3}}) {
    void* buffer = nullptr;
    size_t size = 0;
    c.image.write_to_buffer(c.suffix, &buffer, &size);
    std::string bytes(static_cast<const char*>(buffer), size);
    g_free(buffer);
    auto asset = service_->store(bytes);
    ASSERT_TRUE(asset.ok()) << c.name << ": " << describe(asset);
    auto file = service_->file(asset->key, "w320.webp");
    ASSERT_TRUE(file.ok()) << c.name;
    vips::VImage variant = vips::VImage::new_from_file(file->path.c_str());
    EXPECT_EQ(variant.width(), 320) << c.name;
    EXPECT_EQ(variant.bands(), c.bands) << c.name;
    EXPECT_EQ(variant.format(), VIPS_FORMAT_UCHAR) << c.name;
  }
}

// A portrait photo stored sideways with an EXIF orientation is measured and rendered upright.
TEST_P(MediaServiceTest, HonoursExifOrientation) {
  vips::VImage x = vips::VImage::xyz(1000, 600);
  vips::VImage image =
      vips::VImage::bandjoin({x[0] % 256, x[1] % 256, x[0] % 128}).cast(VIPS_FORMAT_UCHAR).copy();
  image.set("orientation", 6);  // rotate 90° clockwise to display
  void* buffer = nullptr;
  size_t size = 0;
  image.write_to_buffer(".jpg", &buffer, &size);
  std::string jpeg(static_cast<const char*>(buffer), size);
  g_free(buffer);
  auto asset = service_->store(jpeg, "image/jpeg");
  ASSERT_TRUE(asset.ok()) << describe(asset);
  EXPECT_EQ(asset->width, 600);
  EXPECT_EQ(asset->height, 1000);
  EXPECT_EQ(asset->variant_widths, (std::vector<int>{320, 600}));
  auto file = service_->file(asset->key, "w640.webp");
  ASSERT_TRUE(file.ok());
  vips::VImage variant = vips::VImage::new_from_file(file->path.c_str());
  EXPECT_EQ(variant.width(), 600);
  EXPECT_EQ(variant.height(), 1000);
}

TEST_P(MediaServiceTest, CountsStoredAndRefusedImages) {
  MetricsRegistry metrics;
  MediaService counted(*db_, clock_, root_, "secret", &metrics);
  std::string png = make_image(100, 100, ".png");
  ASSERT_TRUE(counted.store(png).ok());
  ASSERT_TRUE(counted.store(png).ok());  // a repeat is not a new image
  ASSERT_FALSE(counted.store("GIF89a....").ok());
  std::string text = metrics.render();
  EXPECT_NE(text.find("fff_media_images_stored_total 1\n"), std::string::npos) << text;
  EXPECT_NE(text.find("fff_media_refused_total{code=\"unsupported_media_type\"} 1\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("fff_media_processing_seconds_count 1\n"), std::string::npos) << text;
}

TEST(MediaVariantWidths, NeverWiderThanTheOriginal) {
  EXPECT_EQ(variant_widths(4000), (std::vector<int>{320, 640, 960, 1280}));
  EXPECT_EQ(variant_widths(1280), (std::vector<int>{320, 640, 960, 1280}));
  EXPECT_EQ(variant_widths(641), (std::vector<int>{320, 640, 641}));
  EXPECT_EQ(variant_widths(320), (std::vector<int>{320}));
  EXPECT_EQ(variant_widths(1), (std::vector<int>{1}));
}

}  // namespace
}  // namespace fff::media
