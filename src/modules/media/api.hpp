// modules/media/api: media routes.
//   staff:  POST /api/v1/admin/media/uploads   a pre-signed upload URL
//           POST /api/v1/admin/media           upload as multipart/form-data (one file part)
//   signed: PUT  /api/v1/media/uploads?…       the bytes, to a pre-signed URL (no token: the
//                                              signature is the authority)
//   public: GET  /media/{key}/{file}           the original or a WebP width, cached for a year
#pragma once

#include "infra/http/router.hpp"
#include "infra/http/staff_auth.hpp"
#include "modules/media/image_header.hpp"
#include "modules/media/service.hpp"

namespace fff::media {

// Largest upload request body: the image limit plus room for multipart framing.
inline constexpr size_t kUploadBodyLimit = kMaxUploadBytes + 64 * 1024;

// `service` must outlive the router.
void add_routes(http::Router& router, MediaService& service, const http::StaffAccess& access);

}  // namespace fff::media
