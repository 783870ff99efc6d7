package urbackup

import "strconv"

// actClientSettings is a=settings&sa=clientsettings&t_clientid=N: one
// client's settings as getJSONClientSettings writes them, each key an
// object with the server's value for the client, its group's, the client's
// own, and use (1 group, 2 server value, 4 client value) saying which
// applies; then clientid, clientname, main_client and memberof. A user
// whose settings right does not cover the client gets the navigation only,
// as the server does (r_ok false). The values are the seed's: daily
// incremental and monthly full file backups, images off.
func (w *world) actClientSettings(r *request, nav jsonObj) reply {
	id, err := strconv.Atoi(r.form.Get("t_clientid"))
	var c *client
	for _, x := range w.byName() {
		if err == nil && x.id == id {
			c = x
		}
	}
	if c == nil || (!w.cfg.noUsers && w.cfg.right("settings") != "all") {
		return jsonReply(jsonObj{"navitems": nav})
	}
	use := func(x any) jsonObj { return jsonObj{"value": x, "value_group": x, "value_client": x, "use": 1} }
	settings := jsonObj{
		"update_freq_incr":         use("86400"),
		"update_freq_full":         use("2592000"),
		"update_freq_image_incr":   use("604800"),
		"update_freq_image_full":   use("5184000"),
		"backup_window_incr_file":  use("1-7/0-24"),
		"backup_window_full_file":  use("1-7/0-24"),
		"backup_window_incr_image": use("1-7/0-24"),
		"backup_window_full_image": use("1-7/0-24"),
		"max_file_incr":            use(100), "min_file_incr": use(40),
		"max_file_full": use(10), "min_file_full": use(2),
		"max_image_incr": use(30), "min_image_incr": use(4),
		"max_image_full": use(5), "min_image_full": use(2),
		"clientid": c.id, "clientname": c.name, "main_client": true, "memberof": 0,
	}
	if c.name == "k3sagent02" {
		// One client with its own setting, as an operator sets it in the
		// web UI: incremental backups every 12 hours, in the evening.
		settings["update_freq_incr"] = jsonObj{"value": "86400", "value_group": "86400", "value_client": "43200", "use": 4}
		settings["backup_window_incr_file"] = jsonObj{"value": "1-7/0-24", "value_group": "1-7/0-24", "value_client": "1-7/18-23", "use": 4}
	}
	return jsonReply(jsonObj{
		"ONLY_WIN32_BEGIN": "<!--", "ONLY_WIN32_END": "-->", "cowraw_available": false,
		"navitems": nav, "sa": "clientsettings", "settings": settings,
	})
}
