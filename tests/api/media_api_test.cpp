// Media over real HTTP against a real `fff serve`: uploads through a signed URL and multipart,
// the served variants and their caching headers, and the demo shop's pictures. These need binary
// bodies and CRLF multipart framing, which the .test case format does not carry.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <vips/vips8>

#include <string>

#include "modules/media/imaging.hpp"
#include "support/http_client.hpp"
#include "support/server_process.hpp"

namespace fff::api_media {
namespace {

using fff::testing::Header;
using fff::testing::HttpConnection;
using fff::testing::HttpRequest;
using fff::testing::HttpResponse;
using fff::testing::ServerOptions;
using fff::testing::ServerProcess;
namespace json = boost::json;

const std::string kToken = "media-test-staff-token-0123456789";

std::string make_image(int width, int height, const char* suffix) {
  media::start_imaging(1);
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

ServerOptions options(std::vector<std::pair<std::string, std::string>> env = {}) {
  media::start_imaging(1);  // this process decodes what the server sends
  ServerOptions o;
  o.env = {{"FFF_ADMIN_TOKEN", kToken}, {"FFF_DEMO", "0"}};
  for (auto& kv : env) o.env.push_back(std::move(kv));
  return o;
}

HttpResponse send(uint16_t port, HttpRequest request) {
  HttpConnection connection(port);
  return connection.request(request, fff::testing::Millis(30000));
}

HttpResponse get(uint16_t port, const std::string& target, std::vector<Header> headers = {}) {
  return send(port, HttpRequest{"GET", target, std::move(headers), ""});
}

json::object body_of(const HttpResponse& r) {
  return json::parse(r.body).as_object();
}

std::string problem_code(const HttpResponse& r) {
  if (r.header("Content-Type") != "application/problem+json") return "(not a problem)";
  return std::string(body_of(r).at("code").as_string());
}

HttpResponse multipart_upload(uint16_t port, const std::string& part_headers,
                              const std::string& content) {
  std::string body = "--FormBoundary7MA4YWxk\r\n" + part_headers + "\r\n\r\n" + content +
                     "\r\n--FormBoundary7MA4YWxk--\r\n";
  return send(port,
              HttpRequest{"POST",
                          "/api/v1/admin/media",
                          {{"Authorization", "Bearer " + kToken},
                           {"Content-Type", "multipart/form-data; boundary=FormBoundary7MA4YWxk"}},
                          body});
}

TEST(MediaApi, SignedUploadThenServedVariantsWithImmutableCaching) {
  ServerProcess server(options());
  std::string jpeg = make_image(1500, 1000, ".jpg");

  HttpResponse ticket = send(
      server.port(),
      HttpRequest{
          "POST",
          "/api/v1/admin/media/uploads",
          {{"Authorization", "Bearer " + kToken}, {"Content-Type", "application/json"}},
          json::serialize(json::object{{"content_type", "image/jpeg"}, {"bytes", jpeg.size()}})});
  ASSERT_EQ(ticket.status, 201) << ticket.describe();
  std::string url(body_of(ticket).at("upload_url").as_string());

  // No bearer token: the signature is the authority.
  HttpResponse put =
      send(server.port(), HttpRequest{"PUT", url, {{"Content-Type", "image/jpeg"}}, jpeg});
  ASSERT_EQ(put.status, 201) << put.describe();
  json::object asset = body_of(put);
  std::string key(asset.at("key").as_string());
  EXPECT_EQ(key.size(), 64u);
  EXPECT_EQ(asset.at("width").as_int64(), 1500);
  EXPECT_EQ(asset.at("height").as_int64(), 1000);
  EXPECT_EQ(asset.at("content_type").as_string(), "image/jpeg");
  EXPECT_EQ(asset.at("url").as_string(), "/media/" + key + "/w640.webp");
  EXPECT_EQ(asset.at("widths").as_array().size(), 4u);
  EXPECT_NE(std::string(asset.at("srcset").as_string()).find("/w1280.webp 1280w"),
            std::string::npos);

  HttpResponse variant = get(server.port(), "/media/" + key + "/w640.webp");
  ASSERT_EQ(variant.status, 200) << variant.describe();
  EXPECT_EQ(variant.header("Content-Type"), "image/webp");
  EXPECT_EQ(variant.header("Cache-Control"), "public, max-age=31536000, immutable");
  ASSERT_TRUE(variant.header("ETag"));
  EXPECT_EQ(variant.body.substr(0, 4), "RIFF");
  EXPECT_EQ(variant.body.substr(8, 4), "WEBP");
  vips::VImage decoded = vips::VImage::new_from_buffer(variant.body, "");
  EXPECT_EQ(decoded.width(), 640);
  EXPECT_EQ(decoded.height(), 427);

  HttpResponse again = get(server.port(), "/media/" + key + "/w640.webp",
                           {{"If-None-Match", *variant.header("ETag")}});
  EXPECT_EQ(again.status, 304) << again.describe();
  EXPECT_TRUE(again.body.empty());

  HttpResponse original = get(server.port(), "/media/" + key + "/original.jpg");
  ASSERT_EQ(original.status, 200);
  EXPECT_EQ(original.header("Content-Type"), "image/jpeg");
  EXPECT_EQ(original.body, jpeg);

  HttpResponse reused =
      send(server.port(), HttpRequest{"PUT", url, {{"Content-Type", "image/jpeg"}}, jpeg});
  ASSERT_EQ(reused.status, 201) << reused.describe();
  EXPECT_EQ(body_of(reused).at("key").as_string(), key);  // content-addressed: the same asset
}

TEST(MediaApi, AGenuineUploadUrlRefusesAnythingButWhatItWasSignedFor) {
  ServerProcess server(options());
  HttpResponse ticket = send(
      server.port(),
      HttpRequest{"POST",
                  "/api/v1/admin/media/uploads",
                  {{"Authorization", "Bearer " + kToken}, {"Content-Type", "application/json"}},
                  R"({"content_type": "image/png", "bytes": 8})"});
  ASSERT_EQ(ticket.status, 201) << ticket.describe();
  std::string url(body_of(ticket).at("upload_url").as_string());

  HttpResponse other_type =
      send(server.port(), HttpRequest{"PUT", url, {{"Content-Type", "image/jpeg"}}, "12345678"});
  EXPECT_EQ(other_type.status, 415) << other_type.describe();
  EXPECT_EQ(problem_code(other_type), "upload_type_mismatch");

  HttpResponse other_size =
      send(server.port(), HttpRequest{"PUT", url, {{"Content-Type", "image/png"}}, "1234567"});
  EXPECT_EQ(other_size.status, 422) << other_size.describe();
  EXPECT_EQ(problem_code(other_size), "upload_size_mismatch");
  EXPECT_NE(other_size.body.find("exactly 8 bytes"), std::string::npos);

  HttpResponse not_an_image =
      send(server.port(), HttpRequest{"PUT", url, {{"Content-Type", "image/png"}}, "GIF89a!!"});
  EXPECT_EQ(not_an_image.status, 415) << not_an_image.describe();
  EXPECT_EQ(problem_code(not_an_image), "unsupported_media_type");
  EXPECT_NE(not_an_image.body.find("GIF"), std::string::npos);

  std::string stretched = url;
  stretched.replace(stretched.find("bytes=8"), 7, "bytes=9");
  HttpResponse tampered = send(
      server.port(), HttpRequest{"PUT", stretched, {{"Content-Type", "image/png"}}, "123456789"});
  EXPECT_EQ(tampered.status, 403) << tampered.describe();
  EXPECT_EQ(problem_code(tampered), "upload_signature_invalid");
}

TEST(MediaApi, MultipartUploadOfAPngAndItsRefusals) {
  ServerProcess server(options());
  std::string png = make_image(300, 200, ".png");
  HttpResponse stored =
      multipart_upload(server.port(),
                       "Content-Disposition: form-data; name=\"file\"; filename=\"swatch.png\"\r\n"
                       "Content-Type: image/png",
                       png);
  ASSERT_EQ(stored.status, 201) << stored.describe();
  json::object asset = body_of(stored);
  std::string key(asset.at("key").as_string());
  EXPECT_EQ(asset.at("width").as_int64(), 300);
  // Smaller than every standard width but 320: each one resolves to the 300-wide rendition.
  for (const char* width : {"w320", "w640", "w1280"}) {
    HttpResponse r = get(server.port(), "/media/" + key + "/" + width + ".webp");
    ASSERT_EQ(r.status, 200) << width << r.describe();
    EXPECT_EQ(vips::VImage::new_from_buffer(r.body, "").width(), 300);
  }
  EXPECT_EQ(get(server.port(), "/media/" + key + "/w500.webp").status, 404);
  EXPECT_EQ(get(server.port(), "/media/" + key + "/original.jpg").status, 404);

  HttpResponse svg =
      multipart_upload(server.port(),
                       "Content-Disposition: form-data; name=\"file\"; filename=\"logo.svg\"\r\n"
                       "Content-Type: image/svg+xml",
                       "<svg xmlns=\"http://www.w3.org/2000/svg\"><script>alert(1)</script></svg>");
  EXPECT_EQ(svg.status, 415) << svg.describe();
  EXPECT_EQ(problem_code(svg), "unsupported_media_type");

  HttpResponse gif = multipart_upload(
      server.port(), "Content-Disposition: form-data; name=\"file\"; filename=\"a.gif\"",
      "GIF89a\x01\x00\x01\x00\x80\x00\x00");
  EXPECT_EQ(gif.status, 415);
  EXPECT_NE(gif.body.find("GIF"), std::string::npos);

  std::string bomb = png;
  bomb.replace(16, 8, std::string("\x00\x00\xC3\x50\x00\x00\xC3\x50", 8));  // 50000×50000
  HttpResponse too_large = multipart_upload(
      server.port(), "Content-Disposition: form-data; name=\"file\"; filename=\"bomb.png\"", bomb);
  EXPECT_EQ(too_large.status, 422) << too_large.describe();
  EXPECT_EQ(problem_code(too_large), "image_too_large");
  EXPECT_NE(too_large.body.find("10000 pixels per side"), std::string::npos);

  HttpResponse mismatch = multipart_upload(
      server.port(),
      "Content-Disposition: form-data; name=\"file\"; filename=\"x.jpg\"\r\nContent-Type: "
      "image/jpeg",
      png);
  EXPECT_EQ(mismatch.status, 415);
  EXPECT_EQ(problem_code(mismatch), "media_type_mismatch");

  HttpResponse truncated = multipart_upload(
      server.port(), "Content-Disposition: form-data; name=\"file\"; filename=\"cut.png\"",
      png.substr(0, png.size() / 2));
  EXPECT_EQ(truncated.status, 422) << truncated.describe();
  EXPECT_EQ(problem_code(truncated), "image_unreadable");

  HttpResponse unclosed =
      send(server.port(), HttpRequest{"POST",
                                      "/api/v1/admin/media",
                                      {{"Authorization", "Bearer " + kToken},
                                       {"Content-Type", "multipart/form-data; boundary=b"}},
                                      "--b\r\nContent-Disposition: form-data; name=\"f\"; "
                                      "filename=\"x.png\"\r\n\r\nnever closed"});
  EXPECT_EQ(unclosed.status, 400);
  EXPECT_EQ(problem_code(unclosed), "malformed_multipart");
  EXPECT_NE(unclosed.body.find("closing boundary"), std::string::npos);
}

TEST(MediaApi, DemoShopProductsShowRealPictures) {
  ServerProcess server(
      options({{"FFF_DEMO", "1"}, {"FFF_DEMO_PRODUCTS", "12"}, {"FFF_DEMO_IMAGES", "1"}}));
  HttpResponse list = get(server.port(), "/api/v1/products?per_page=12");
  ASSERT_EQ(list.status, 200) << list.describe();
  json::array items = body_of(list).at("items").as_array();
  ASSERT_FALSE(items.empty());
  for (const auto& item : items) {
    const json::object& image = item.as_object().at("image").as_object();
    std::string url(image.at("url").as_string());
    HttpResponse picture = get(server.port(), url);
    ASSERT_EQ(picture.status, 200) << url << picture.describe();
    EXPECT_EQ(picture.header("Content-Type"), "image/webp");
    vips::VImage decoded = vips::VImage::new_from_buffer(picture.body, "");
    EXPECT_EQ(decoded.width(), 640);
    EXPECT_EQ(decoded.height(), 800);
  }
}

}  // namespace
}  // namespace fff::api_media
